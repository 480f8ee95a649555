// The Vector Memory node: reads parameters, runs the memory engine on the chosen backend, maps results to items.
import { Client } from 'pg';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { redactSecrets } from '../shared/errors';
import { errorItem, toNodeError } from '../shared/nodeErrors';
import { n8nTransport } from '../shared/n8nHttp';
import { openAiConnection } from '../shared/openAiCompatible';
import { BACKEND_CREDENTIALS, createBackend, pgConnection, type BackendName } from './backends';
import {
	backendField,
	commonFields,
	deleteFields,
	embeddingFields,
	filterField,
	insertFields,
	operationField,
	queryFields,
} from './descriptions/VectorMemoryDescription';
import { OpenAiEmbedder } from './embeddings';
import { VectorMemory as MemoryEngine, type MemoryDocument } from './memory';

type Operation = 'insert' | 'query' | 'delete' | 'clear' | 'stats';

export class VectorMemory implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Vector Memory',
		name: 'vectorMemory',
		icon: { light: 'file:vectorMemory.svg', dark: 'file:vectorMemory.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["backend"]}}',
		description:
			'Long-term memory for agents and workflows: store texts as embeddings and find the ones closest in meaning to a question. Embedded on disk by default, or in Postgres pgvector, Chroma, Qdrant or Pinecone.',
		defaults: { name: 'Vector Memory' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: 'openAiCompatibleAgenticApi', required: true, displayOptions: { show: { operation: ['insert', 'query'] } } },
			{ name: 'pgVectorAgentic', required: true, testedBy: 'pgVectorAgenticConnectionTest', displayOptions: { show: { backend: ['pgvector'] } } },
			{ name: 'chromaAgenticApi', required: true, displayOptions: { show: { backend: ['chroma'] } } },
			{ name: 'qdrantAgenticApi', required: true, displayOptions: { show: { backend: ['qdrant'] } } },
			{ name: 'pineconeAgenticApi', required: true, displayOptions: { show: { backend: ['pinecone'] } } },
		],
		properties: [backendField, operationField, ...commonFields, ...insertFields, ...queryFields, filterField, ...deleteFields, ...embeddingFields],
	};

	methods = {
		credentialTest: {
			async pgVectorAgenticConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const client = new Client({ ...pgConnection(credential.data ?? {}), connectionTimeoutMillis: 10_000 });
				try {
					await client.connect();
					const result = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
					if (result.rowCount === 0) {
						return { status: 'Error', message: 'Connected, but this Postgres has no pgvector extension installed' };
					}
					return { status: 'OK', message: 'Connected; pgvector is available' };
				} catch (error) {
					return { status: 'Error', message: redactSecrets((error as Error).message, [String(credential.data?.password ?? '')]) };
				} finally {
					await client.end().catch(() => undefined);
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as Operation;
		const backend = this.getNodeParameter('backend', 0) as BackendName;
		let secrets: string[] = [];
		const out: INodeExecutionData[] = [];
		const fail = (error: unknown, itemIndex: number) => {
			const nodeError = toNodeError(this, error, itemIndex, secrets);
			if (!this.continueOnFail()) throw nodeError;
			out.push(errorItem(nodeError, itemIndex));
		};

		let memory: MemoryEngine;
		try {
			const created = await createBackend(this, backend);
			secrets = created.secrets;
			memory = new MemoryEngine(created.store, await embedderFor(this, operation, secrets));
		} catch (error) {
			// Without a backend no item can run; under Continue On Fail each item says why.
			for (let i = 0; i < items.length; i++) fail(error, i);
			return [out];
		}

		try {
			if (operation === 'insert') {
				await insertItems(this, memory, items, out, fail);
				return [out];
			}
			for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
				try {
					const namespace = this.getNodeParameter('namespace', itemIndex) as string;
					for (const json of await runOne(this, memory, operation, namespace, itemIndex)) {
						out.push({ json, pairedItem: { item: itemIndex } });
					}
				} catch (error) {
					fail(error, itemIndex);
				}
			}
			return [out];
		} finally {
			await memory.store.close();
		}
	}
}

async function embedderFor(ctx: IExecuteFunctions, operation: Operation, secrets: string[]) {
	if (operation !== 'insert' && operation !== 'query') {
		return { embed: async () => [] as number[][] };
	}
	const connection = openAiConnection(await ctx.getCredentials('openAiCompatibleAgenticApi'));
	secrets.push(...connection.secrets);
	const dimensions = ctx.getNodeParameter('dimensions', 0, 0) as number;
	return new OpenAiEmbedder({
		apiKey: connection.apiKey,
		baseUrl: connection.baseUrl,
		organization: connection.organization,
		headers: connection.extraHeaders,
		model: ctx.getNodeParameter('model', 0) as string,
		dimensions: dimensions > 0 ? dimensions : undefined,
		transport: n8nTransport(ctx),
	});
}

function parseFilter(ctx: IExecuteFunctions, itemIndex: number): unknown {
	const raw = ctx.getNodeParameter('filter', itemIndex, '{}') as unknown;
	if (typeof raw !== 'string') return raw && Object.keys(raw as object).length ? raw : undefined;
	if (!raw.trim()) return undefined;
	try {
		const parsed = JSON.parse(raw) as object;
		return parsed && Object.keys(parsed).length ? parsed : undefined;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'Metadata Filter is not valid JSON', {
			itemIndex,
			description: 'Write it as a JSON object, e.g. {"source": "faq", "year": {"$gte": 2020}}.',
		});
	}
}

async function runOne(ctx: IExecuteFunctions, memory: MemoryEngine, operation: Operation, namespace: string, itemIndex: number): Promise<IDataObject[]> {
	switch (operation) {
		case 'query': {
			const hits = await memory.query(namespace, ctx.getNodeParameter('query', itemIndex) as string, {
				topK: ctx.getNodeParameter('topK', itemIndex, 4) as number,
				minScore: ctx.getNodeParameter('minScore', itemIndex, 0) as number,
				filter: parseFilter(ctx, itemIndex),
			});
			return hits.map((hit) => ({ id: hit.id, text: hit.text, metadata: hit.metadata, score: hit.score }));
		}
		case 'delete': {
			const ids = (ctx.getNodeParameter('ids', itemIndex, '') as string)
				.split(',')
				.map((id) => id.trim())
				.filter(Boolean);
			return [{ namespace, deleted: await memory.delete(namespace, { ids, filter: parseFilter(ctx, itemIndex) }) }];
		}
		case 'clear':
			await memory.clear(namespace);
			return [{ namespace, cleared: true }];
		case 'stats':
			return [{ namespace, ...(await memory.stats(namespace)) }];
		default:
			throw new NodeOperationError(ctx.getNode(), `Unknown operation "${String(operation)}"`, { itemIndex });
	}
}

function readField(json: IDataObject, path: string): unknown {
	if (path in json) return json[path];
	return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as IDataObject)[key] : undefined), json);
}

function documentFor(ctx: IExecuteFunctions, json: IDataObject, itemIndex: number): MemoryDocument {
	const textField = ctx.getNodeParameter('textField', itemIndex) as string;
	const idField = ctx.getNodeParameter('idField', itemIndex, '') as string;
	const metadataFields = (ctx.getNodeParameter('metadataFields', itemIndex, '') as string)
		.split(',')
		.map((f) => f.trim())
		.filter(Boolean);
	const value = readField(json, textField);
	const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
	const metadata: Record<string, unknown> = {};
	if (metadataFields.length) {
		for (const field of metadataFields) {
			const v = readField(json, field);
			if (v !== undefined) metadata[field] = v;
		}
	} else {
		for (const [key, v] of Object.entries(json)) if (key !== textField && key !== idField) metadata[key] = v;
	}
	const id = idField ? readField(json, idField) : undefined;
	return { text, metadata, id: id === undefined || id === null || id === '' ? undefined : String(id) };
}

/**
 * Inserts the items of each namespace as one batch (one embeddings round, one commit). When a batch
 * fails under Continue On Fail, its items are retried one by one so only the faulty ones report an error.
 */
async function insertItems(
	ctx: IExecuteFunctions,
	memory: MemoryEngine,
	items: INodeExecutionData[],
	out: INodeExecutionData[],
	fail: (error: unknown, itemIndex: number) => void,
) {
	const groups = new Map<string, number[]>();
	const settings: Array<{ namespace: string; chunking: { chunkSize: number; chunkOverlap: number } }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const namespace = ctx.getNodeParameter('namespace', i) as string;
			const chunking = {
				chunkSize: ctx.getNodeParameter('chunkSize', i, 1000) as number,
				chunkOverlap: ctx.getNodeParameter('chunkOverlap', i, 200) as number,
			};
			settings[i] = { namespace, chunking };
			const key = JSON.stringify(settings[i]);
			groups.set(key, [...(groups.get(key) ?? []), i]);
		} catch (error) {
			fail(error, i);
		}
	}
	const run = async (indexes: number[]) => {
		const { namespace, chunking } = settings[indexes[0]];
		const docs = indexes.map((i) => documentFor(ctx, items[i].json, i));
		const report = await memory.upsert(namespace, docs, chunking);
		out.push({
			json: { namespace, documents: indexes.length - report.skippedEmpty, chunks: report.chunks, skippedEmpty: report.skippedEmpty, ids: report.ids },
			pairedItem: indexes.map((item) => ({ item })),
		});
	};
	for (const indexes of groups.values()) {
		try {
			await run(indexes);
		} catch (error) {
			if (!ctx.continueOnFail() || indexes.length === 1) {
				fail(error, indexes[0]);
				continue;
			}
			for (const i of indexes) {
				try {
					await run([i]);
				} catch (itemError) {
					fail(itemError, i);
				}
			}
		}
	}
}

/** Maps engine failures to n8n errors that name what to fix; secrets never reach a message. */

export { BACKEND_CREDENTIALS };
