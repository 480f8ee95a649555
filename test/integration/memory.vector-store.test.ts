// Vector Memory as a LangChain vector store and tool, on every backend: what n8n's chains, retrievers and AI Agent call
// (asRetriever, similaritySearch with a filter, a tool's invoke) answers from the stored texts, filters hold in every mode,
// and a namespace that holds nothing gives no texts rather than an error. Runs on a real @langchain/core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { langChainRetrievalTool, langChainVectorStore, resolveLangChainCore, type LangChainCore } from '../../nodes/VectorMemory/langchain';
import { VectorMemory } from '../../nodes/VectorMemory/memory';
import type { StoreBackend } from '../../nodes/VectorMemory/types';
import { backends, wordEmbedder } from './memory.backends';

const REPO = resolve(__dirname, '../..');
// The checkout's own @langchain/core (a development dependency of n8n's node tooling); in n8n, n8n's copy is found instead.
const core: LangChainCore = resolveLangChainCore([REPO]);

interface Doc {
	pageContent: string;
	metadata: Record<string, unknown>;
	id?: string;
}
interface Store {
	asRetriever(k: number): { invoke(query: string): Promise<Doc[]> };
	similaritySearch(query: string, k: number, filter?: unknown): Promise<Doc[]>;
	similaritySearchWithScore(query: string, k: number, filter?: unknown): Promise<Array<[Doc, number]>>;
	addDocuments(docs: Doc[]): Promise<string[]>;
}
interface Tool {
	name: string;
	description: string;
	invoke(input: string | { input: string }): Promise<string>;
}

const docs = [
	{ text: 'The cat sleeps on the warm sofa', metadata: { kind: 'pet', year: 2021, lang: 'en' } },
	{ text: 'A dog runs in the park chasing a ball', metadata: { kind: 'pet', year: 2023, lang: 'en' } },
	{ text: 'Quarterly invoice for cloud servers', metadata: { kind: 'finance', year: 2024, lang: 'en' } },
	{ text: 'Le chat dort sur le canapé', metadata: { kind: 'pet', year: 2022, lang: 'fr' } },
];

it("finds LangChain's classes and says clearly when n8n's copy cannot be found", () => {
	expect(typeof core.VectorStore).toBe('function');
	expect(core.location).toContain(join('node_modules', '@langchain', 'core'));
	const nowhere = mkdtempSync(join(tmpdir(), 'no-langchain-'));
	try {
		expect(() => resolveLangChainCore([nowhere])).toThrow("Vector Memory Store could not find n8n's LangChain (@langchain/core)");
	} finally {
		rmSync(nowhere, { recursive: true, force: true });
	}
});

describe.each(backends)('Vector Memory as a LangChain vector store on the $name backend', (backend) => {
	let store: StoreBackend;
	let memory: VectorMemory;
	const namespace = `lc_${backend.name}`;

	beforeAll(async () => {
		store = await backend.start();
		memory = new VectorMemory(store, wordEmbedder());
		await memory.upsert(namespace, docs);
	}, 60_000);
	afterAll(async () => {
		await store.close();
		await backend.stop();
	});

	it('is an instance of LangChain VectorStore whose retriever returns the closest stored chunks with their metadata', async () => {
		const vectorStore = langChainVectorStore(core, { memory, namespace });
		expect(vectorStore).toBeInstanceOf(core.VectorStore);
		const found = await (vectorStore as Store).asRetriever(2).invoke('the cat sleeps on the sofa');
		expect(found).toHaveLength(2);
		expect(found[0]).toMatchObject({ pageContent: 'The cat sleeps on the warm sofa', metadata: { kind: 'pet', year: 2021, lang: 'en' } });
		expect(found[0].id).toEqual(expect.any(String));
	});

	it("holds to the node's filter in every search, and adds a caller's filter to it", async () => {
		const petsOnly = langChainVectorStore(core, { memory, namespace, filter: { kind: 'pet' } }) as Store;
		const pets = await petsOnly.asRetriever(4).invoke('invoice for cloud servers');
		expect(pets.map((d) => d.metadata.kind)).toEqual(['pet', 'pet', 'pet']);
		const french = await petsOnly.similaritySearchWithScore('chat', 4, { lang: 'fr' });
		expect(french.map(([d]) => d.pageContent)).toEqual(['Le chat dort sur le canapé']);
		expect(french[0][1]).toEqual(expect.any(Number));
		// On a field both filters name, the node's condition holds.
		expect(await petsOnly.similaritySearch('invoice', 4, { kind: 'finance' })).not.toContainEqual(expect.objectContaining({ metadata: expect.objectContaining({ kind: 'finance' }) }));
		await expect(petsOnly.similaritySearch('x', 2, { year: { $near: 1 } })).rejects.toThrow(/field "year"/);
	});

	it('as a tool, answers a query with the closest texts as JSON, under its own name and description, filter held', async () => {
		const tool = langChainRetrievalTool(core, { memory, namespace, filter: { year: { $gte: 2023 } }, name: 'company_docs', description: 'Company documents', topK: 2 }) as Tool;
		expect(tool).toMatchObject({ name: 'company_docs', description: 'Company documents' });
		const answer = JSON.parse(await tool.invoke('a dog in the park'));
		expect(answer).toHaveLength(2);
		expect(answer[0]).toMatchObject({ pageContent: 'A dog runs in the park chasing a ball', metadata: { year: 2023 } });
		expect(answer.every((d: Doc) => (d.metadata.year as number) >= 2023)).toBe(true);
		expect(await tool.invoke({ input: '   ' })).toMatch(/^Error: The tool needs a text to search for/);
	});

	it('gives no texts, not an error, for a namespace that holds nothing, in both modes', async () => {
		const empty = { memory, namespace: `${namespace}_none` };
		expect(await (langChainVectorStore(core, empty) as Store).asRetriever(3).invoke('cat')).toEqual([]);
		expect(await (langChainRetrievalTool(core, { ...empty, name: 't', description: 'd', topK: 3 }) as Tool).invoke('cat')).toBe('[]');
	});

	it('stores the documents a LangChain caller adds', async () => {
		const vectorStore = langChainVectorStore(core, { memory, namespace: `${namespace}_added` }) as Store;
		const ids = await vectorStore.addDocuments([{ pageContent: 'Refunds take five business days', metadata: { kind: 'faq' }, id: 'refunds' }]);
		expect(ids).toEqual(['refunds']);
		expect(await vectorStore.similaritySearch('refunds', 1)).toEqual([expect.objectContaining({ pageContent: 'Refunds take five business days', id: 'refunds' })]);
	});
});
