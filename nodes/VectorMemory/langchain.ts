// Vector Memory as a LangChain vector store and tool, built on the @langchain/core that n8n itself loaded, never a copy of ours.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AgenticError } from '../shared/errors';
import { DEFAULT_TOP_K } from './defaults';
import { validateFilter } from './filter';
import type { MemoryDocument, VectorMemory } from './memory';
import type { MetadataFilter, SearchHit } from './types';

/** The parts of LangChain's Document, VectorStore and DynamicTool classes used here. */
interface LangChainDocument {
	pageContent: string;
	metadata: Record<string, unknown>;
	id?: string;
}
type DocumentClass = new (fields: LangChainDocument) => LangChainDocument;
type VectorStoreClass = new (embeddings: unknown, config: Record<string, unknown>) => object;
type DynamicToolClass = new (fields: { name: string; description: string; func: (input: string) => Promise<string> }) => object;

export interface LangChainCore {
	Document: DocumentClass;
	VectorStore: VectorStoreClass;
	DynamicTool: DynamicToolClass;
	/** Where the copy was found, for messages. */
	location: string;
}

/**
 * Where n8n's modules live: next to its main module, and on the NODE_PATH n8n sets to its own module paths before it
 * loads community packages.
 */
export function n8nSearchPaths(env: NodeJS.ProcessEnv = process.env): string[] {
	const main = require.main?.filename;
	return [...(main ? [path.dirname(main)] : []), ...(env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean)];
}

function resolveFrom(request: string, paths: string[]): string | undefined {
	try {
		return require.resolve(request, { paths });
	} catch {
		return undefined;
	}
}

/**
 * n8n's chain and retriever nodes test `instanceof VectorStore` against the @langchain/core that n8n's LangChain nodes
 * (@n8n/n8n-nodes-langchain) load, which n8n 1.x nests inside that package: so that package's copy comes first.
 */
export function resolveLangChainCore(searchPaths: string[] = n8nSearchPaths()): LangChainCore {
	const nodesPackage = resolveFrom('@n8n/n8n-nodes-langchain/package.json', searchPaths);
	const paths = nodesPackage ? [path.dirname(nodesPackage), ...searchPaths] : searchPaths;
	const found = ['vectorstores', 'documents', 'tools'].map((entry) => resolveFrom(`@langchain/core/${entry}`, paths));
	if (found.some((file) => file === undefined)) {
		throw new AgenticError('internal', "Vector Memory Store could not find n8n's LangChain (@langchain/core)", {
			description: `It supplies a vector store to n8n's AI nodes, and must use the LangChain they load. Run it inside n8n with its AI nodes; searched from: ${paths.join(', ') || '(nowhere)'}.`,
		});
	}
	const load = createRequire(__filename);
	const [vectorstores, documents, tools] = found.map((file) => load(file!) as Record<string, unknown>);
	return {
		VectorStore: vectorstores.VectorStore as VectorStoreClass,
		Document: documents.Document as DocumentClass,
		DynamicTool: tools.DynamicTool as DynamicToolClass,
		location: path.dirname(found[0]!),
	};
}

/** Shows one search in the node's run (n8n's sub-node runs): what was asked, then what was found. */
export type SearchRecorder = <T>(input: Record<string, unknown>, search: () => Promise<T>, output: (found: T) => unknown) => Promise<T>;

export interface StoreView {
	memory: VectorMemory;
	namespace: string;
	/** The node's Metadata Filter: every search holds to it, and to the caller's filter too. */
	filter?: MetadataFilter;
	record?: SearchRecorder;
}

/** A caller's filter (a retriever's or a chain's) added to the node's; on a field both name, the node's condition holds. */
function mergedFilter(own: MetadataFilter | undefined, caller: unknown): MetadataFilter | undefined {
	const extra = caller && typeof caller === 'object' && !Array.isArray(caller) ? validateFilter(caller) : undefined;
	return own || extra ? { ...extra, ...own } : undefined;
}

const storeClasses = new WeakMap<VectorStoreClass, VectorStoreClass>();

/** The VectorStore subclass over Vector Memory, made once per LangChain copy. */
function vectorStoreClass(core: LangChainCore): VectorStoreClass {
	const cached = storeClasses.get(core.VectorStore);
	if (cached) return cached;
	const { Document } = core;
	const toDocument = (hit: SearchHit) => new Document({ pageContent: hit.text, metadata: hit.metadata, id: hit.id });
	class VectorMemoryStore extends core.VectorStore {
		declare view: StoreView;

		_vectorstoreType(): string {
			return 'vector-memory';
		}

		/** What retrievers and chains call: embedded by the memory's embedder, and shown in the node's run. */
		async similaritySearchWithScore(query: string, k = DEFAULT_TOP_K, filter?: unknown): Promise<Array<[LangChainDocument, number]>> {
			const search = async () => this.similaritySearchVectorWithScore(await this.view.memory.embedQuery(query), k, filter);
			if (!this.view.record) return search();
			return this.view.record({ query, k, filter: mergedFilter(this.view.filter, filter) ?? {} }, search, (found) => ({ response: found.map(([doc]) => doc) }));
		}

		async similaritySearch(query: string, k = DEFAULT_TOP_K, filter?: unknown): Promise<LangChainDocument[]> {
			return (await this.similaritySearchWithScore(query, k, filter)).map(([doc]) => doc);
		}

		async similaritySearchVectorWithScore(query: number[], k: number, filter?: unknown): Promise<Array<[LangChainDocument, number]>> {
			const { memory, namespace } = this.view;
			const hits = await memory.search(namespace, query, { topK: k, filter: mergedFilter(this.view.filter, filter) });
			return hits.map((hit) => [toDocument(hit), hit.score]);
		}

		async addDocuments(documents: LangChainDocument[]): Promise<string[]> {
			const docs: MemoryDocument[] = documents.map((doc) => ({ text: doc.pageContent, metadata: doc.metadata, id: doc.id }));
			return (await this.view.memory.upsert(this.view.namespace, docs)).ids;
		}

		async addVectors(): Promise<void> {
			throw new AgenticError('invalid_input', 'Vector Memory embeds what it stores itself: add documents, not vectors');
		}
	}
	storeClasses.set(core.VectorStore, VectorMemoryStore);
	return VectorMemoryStore;
}

/** A LangChain VectorStore of n8n's own LangChain, searching one namespace of Vector Memory. */
export function langChainVectorStore(core: LangChainCore, view: StoreView): object {
	// LangChain embeds a question with `embeddings.embedQuery` before the vector search: the memory's embedder does it.
	const embeddings = { embedQuery: (text: string) => view.memory.embedQuery(text), embedDocuments: (texts: string[]) => Promise.reject(new Error(`${texts.length} texts: use addDocuments`)) };
	const store = new (vectorStoreClass(core))(embeddings, {}) as { view: StoreView };
	store.view = view;
	return store;
}

export interface ToolSettings extends StoreView {
	name: string;
	description: string;
	topK: number;
}

/** The stored texts closest to a query, as the tool answers: one JSON object per text, as n8n's vector store tools do. */
export async function retrieveForTool(settings: ToolSettings, query: unknown): Promise<Array<{ pageContent: string; metadata: Record<string, unknown>; id: string; score: number }>> {
	if (typeof query !== 'string' || !query.trim()) {
		throw new AgenticError('invalid_input', 'The tool needs a text to search for', { field: 'input', description: 'Call it with {"input": "what to look up"}.' });
	}
	const hits = await settings.memory.query(settings.namespace, query, { topK: settings.topK, filter: settings.filter });
	return hits.map((hit) => ({ pageContent: hit.text, metadata: hit.metadata, id: hit.id, score: hit.score }));
}

/** A LangChain tool of n8n's own LangChain that searches Vector Memory; a failure becomes a message the model can act on. */
export function langChainRetrievalTool(core: LangChainCore, settings: ToolSettings): object {
	return new core.DynamicTool({
		name: settings.name,
		description: settings.description,
		func: async (input: string) => {
			try {
				return JSON.stringify(await retrieveForTool(settings, input));
			} catch (error) {
				return `Error: ${(error as Error).message}. Please fix your input and try again.`;
			}
		},
	});
}
