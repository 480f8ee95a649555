// Agent Brain node: reads parameters and connected tools, runs the engine's agent loop per item, and maps its result to items.
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { AgenticError } from '../shared/errors';
import { errorItem, toNodeError } from '../shared/nodeErrors';
import { n8nTransport } from '../shared/n8nHttp';
import { openAiConnection, type OpenAiConnection } from '../shared/openAiCompatible';
import { TavilyClient } from '../Tavily/engine/client';
import { backendCredentialDescriptions, createBackend, type BackendName } from '../VectorMemory/backends';
import { OpenAiEmbedder } from '../VectorMemory/embeddings';
import { VectorMemory, checkNamespace } from '../VectorMemory/memory';
import type { StoreBackend } from '../VectorMemory/types';
import { BUILT_IN_TOOLS, MEMORY_TOOLS, agentBrainProperties } from './description';
import { runAgent } from './engine/loop';
import { DEFAULT_KEEP_TURNS, FileConversationStore } from './engine/memory';
import { recallTool, rememberTool } from './engine/memoryTools';
import { OpenAiChatModel } from './engine/model';
import { dateTimeTool, flattenTools, fromInvokableTool, webExtractTool, webSearchTool } from './engine/tools';
import { schemaProblems } from './engine/schema';
import { traceToMarkdown } from './engine/trace';
import type { AgentResult, AgentTool, JsonSchema } from './engine/types';

interface AgentBrainOptions {
	maxIterations?: number;
	maxTokens?: number;
	memoryTurns?: number;
	outputSchema?: string | IDataObject;
	requireCitations?: boolean;
	temperature?: number;
	timeoutSeconds?: number;
	tokenBudget?: number;
	traceMarkdown?: boolean;
}

function parseOutputSchema(value: AgentBrainOptions['outputSchema']): JsonSchema | undefined {
	if (value === undefined || value === '') return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			parsed = new AgenticError('invalid_input', `Output JSON Schema is not valid JSON: ${(error as Error).message}`);
		}
	}
	if (parsed instanceof AgenticError || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new AgenticError('invalid_input', parsed instanceof AgenticError ? parsed.message : 'Output JSON Schema must be a JSON object', {
			field: 'Output JSON Schema',
			description: 'Write a JSON Schema object, e.g. {"type": "object", "properties": {"answer": {"type": "string"}}}.',
		});
	}
	const problems = schemaProblems(parsed as JsonSchema);
	if (problems.length > 0) {
		throw new AgenticError('invalid_input', `Output JSON Schema cannot be satisfied: ${problems[0]}`, {
			field: 'Output JSON Schema',
			description: 'Make every "$ref" point at a definition that describes a value (e.g. "#/$defs/item"), not back at itself.',
		});
	}
	return parsed as JsonSchema;
}

function isValidNamespace(namespace: string): boolean {
	try {
		checkNamespace(namespace);
		return true;
	} catch {
		return false;
	}
}

/** Engine errors become the n8n errors users see, naming what to fix. */

function toJson(result: AgentResult, trace: 'none' | 'json' | 'json+markdown', sessionId: string): IDataObject {
	const json: IDataObject = {
		answer: result.answer,
		stopReason: result.stopReason,
		iterations: result.iterations,
		toolCalls: result.toolCalls as unknown as IDataObject[],
		usage: result.usage as unknown as IDataObject,
		citations: result.citations,
	};
	if (result.unverifiedCitations) json.unverifiedCitations = result.unverifiedCitations;
	if ('data' in result) json.data = result.data as IDataObject;
	if (result.dataErrors) json.dataErrors = result.dataErrors;
	if (sessionId) json.sessionId = sessionId;
	if (trace !== 'none') json.trace = result.trace as unknown as IDataObject[];
	if (trace === 'json+markdown') json.traceMarkdown = traceToMarkdown(result.trace);
	return json;
}

export class AgentBrain implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Agent Brain',
		name: 'agentBrain',
		icon: { light: 'file:agentBrain.svg', dark: 'file:agentBrain.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description: 'An agent that plans with an OpenAI-compatible model and calls tools (web search, long-term memory, any connected n8n tool) until the task is done',
		defaults: { name: 'Agent Brain' },
		usableAsTool: true,
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tool', required: false },
		],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'openAiCompatibleAgenticApi', required: true },
			{
				name: 'tavilyAgenticApi',
				required: true,
				displayOptions: { show: { builtInTools: [BUILT_IN_TOOLS.webSearch, BUILT_IN_TOOLS.webExtract] } },
			},
			...backendCredentialDescriptions({ builtInTools: MEMORY_TOOLS }),
		],
		properties: agentBrainProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		const transport = n8nTransport(this);
		const store = new FileConversationStore();
		let connection: OpenAiConnection;
		try {
			connection = openAiConnection(await this.getCredentials('openAiCompatibleAgenticApi'));
		} catch (error) {
			throw toNodeError(this, error, 0);
		}
		const { apiKey, extraHeaders } = connection;
		const headerSecrets = connection.secrets;
		// Used as another agent's tool, n8n gives the node no inputs: it then has only its built-in tools.
		const hasToolInput =
			typeof this.getNodeInputs !== 'function' || this.getNodeInputs().some((input) => input.type === NodeConnectionTypes.AiTool);
		let tavily: TavilyClient | undefined;
		let tavilyKey: string | undefined;
		// One store for the whole run, opened by the first item that uses a memory tool.
		let memoryStore: Promise<{ store: StoreBackend; secrets: string[] }> | undefined;
		let memorySecrets: string[] = [];

		try {
			for (let i = 0; i < items.length; i++) {
				try {
					const options = this.getNodeParameter('options', i, {}) as AgentBrainOptions;
					const builtIns = this.getNodeParameter('builtInTools', i, []) as string[];
					const tools: AgentTool[] = [];
					if (builtIns.includes(BUILT_IN_TOOLS.webSearch) || builtIns.includes(BUILT_IN_TOOLS.webExtract)) {
						if (!tavily) {
							const tavilyCredentials = await this.getCredentials('tavilyAgenticApi', i);
							tavilyKey = String(tavilyCredentials.apiKey ?? '');
							tavily = new TavilyClient({ apiKey: tavilyKey, baseUrl: tavilyCredentials.baseUrl as string | undefined, transport });
						}
						if (builtIns.includes(BUILT_IN_TOOLS.webSearch)) tools.push(webSearchTool(tavily));
						if (builtIns.includes(BUILT_IN_TOOLS.webExtract)) tools.push(webExtractTool(tavily));
					}
					if (builtIns.includes(BUILT_IN_TOOLS.currentDateTime)) tools.push(dateTimeTool());
					if (builtIns.some((tool) => MEMORY_TOOLS.includes(tool))) {
						const namespace = String(this.getNodeParameter('namespace', i, 'default') ?? '').trim();
						// A wrong namespace is the user's to fix, not the model's: fail before any model call.
						if (!isValidNamespace(namespace)) {
							throw new NodeOperationError(this.getNode(), `The Memory Namespace "${namespace}" is not a valid namespace`, {
								description: 'Use 1 to 63 letters, digits, "_" or "-", starting with a letter or digit, e.g. "support-faq".',
								itemIndex: i,
							});
						}
						memoryStore ??= createBackend(this, this.getNodeParameter('backend', 0, 'embedded') as BackendName);
						const opened = await memoryStore;
						memorySecrets = opened.secrets;
						const dimensions = this.getNodeParameter('dimensions', i, 0) as number;
						const embedder = new OpenAiEmbedder({
							apiKey,
							baseUrl: connection.baseUrl,
							organization: connection.organization,
							headers: extraHeaders,
							model: String(this.getNodeParameter('embeddingModel', i, 'text-embedding-3-small')),
							dimensions: dimensions > 0 ? dimensions : undefined,
							transport,
						});
						const memory = new VectorMemory(opened.store, embedder);
						if (builtIns.includes(BUILT_IN_TOOLS.recallMemory)) tools.push(recallTool(memory, namespace));
						if (builtIns.includes(BUILT_IN_TOOLS.saveMemory)) tools.push(rememberTool(memory, namespace));
					}
					if (hasToolInput) {
						const connected = await this.getInputConnectionData(NodeConnectionTypes.AiTool, i);
						for (const tool of flattenTools(connected)) tools.push(fromInvokableTool(tool));
					}

					const sessionId = String(this.getNodeParameter('sessionId', i, '') ?? '').trim();
					const history = sessionId ? await store.load(sessionId, options.memoryTurns ?? 10) : [];
					const model = new OpenAiChatModel({
						apiKey,
						baseUrl: connection.baseUrl,
						organization: connection.organization,
						extraHeaders,
						model: String(this.getNodeParameter('model', i)),
						temperature: options.temperature,
						maxTokens: options.maxTokens,
						transport,
					});
					const result = await runAgent({
						model,
						task: String(this.getNodeParameter('task', i, '') ?? ''),
						systemMessage: this.getNodeParameter('systemMessage', i, '') as string,
						tools,
						history,
						maxIterations: options.maxIterations,
						timeoutMs: options.timeoutSeconds === undefined ? 300_000 : options.timeoutSeconds * 1000,
						tokenBudget: options.tokenBudget,
						requireCitations: options.requireCitations,
						outputSchema: parseOutputSchema(options.outputSchema),
						signal: this.getExecutionCancelSignal?.(),
						secrets: [apiKey, tavilyKey, ...headerSecrets, ...memorySecrets],
					});
					if (sessionId) await store.append(sessionId, result.turn, Math.max(DEFAULT_KEEP_TURNS, options.memoryTurns ?? 10));
					// As another agent's tool, the result is read by a model: the trace would only cost it tokens.
					const trace = !hasToolInput ? 'none' : options.traceMarkdown === true ? 'json+markdown' : 'json';
					output.push({ json: toJson(result, trace, sessionId), pairedItem: { item: i } });
				} catch (error) {
					const nodeError = toNodeError(this, error, i, [apiKey, tavilyKey, ...headerSecrets, ...memorySecrets]);
					if (!this.continueOnFail()) throw nodeError;
					output.push(errorItem(nodeError, i));
				}
			}
		} finally {
			if (memoryStore) await memoryStore.then(({ store }) => store.close()).catch(() => undefined);
		}
		return [output];
	}
}
