// The Vector Memory node's execute() on the embedded backend with the fake OpenAI embeddings server: each operation's items,
// Continue On Fail item by item, and the errors that name what to fix.
import type { INodeExecutionData } from 'n8n-workflow';
import { VectorMemory } from '../../nodes/VectorMemory/VectorMemory.node';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { executeContext, type Parameters } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const KEY = 'sk-memory-node';
let fake: FakeOpenAI;

useTemporaryUserFolder();

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY, embeddingDims: 16 });
});
afterEach(async () => {
	await fake.close();
});

function run(parameters: Parameters | ((i: number) => Parameters), items: INodeExecutionData[] = [{ json: {} }], continueOnFail = false) {
	const context = executeContext({
		nodeType: new VectorMemory(),
		items,
		parameters,
		continueOnFail,
		credentials: { openAiCompatibleAgenticApi: { apiKey: KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } },
	});
	return new VectorMemory().execute.call(context).then(([out]) => out);
}

const docs = [
	{ json: { text: 'The cat sleeps on the sofa', source: 'pets', year: 2021 } },
	{ json: { text: 'Quarterly invoice for cloud servers', source: 'finance', year: 2024 } },
	{ json: { text: 'A dog chases a ball in the park', source: 'pets', year: 2023 } },
];

describe('Vector Memory node', () => {
	it('inserts the items of one namespace as one batch, then finds, counts, deletes and clears them', async () => {
		const [inserted] = await run({ backend: 'embedded', operation: 'insert', namespace: 'kb' }, docs);
		expect(inserted.json).toMatchObject({ namespace: 'kb', documents: 3, chunks: 3, skippedEmpty: 0 });
		expect(inserted.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(fake.requests.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(1);

		const hits = await run({ backend: 'embedded', operation: 'query', namespace: 'kb', query: 'The cat sleeps on the sofa' });
		// The default Min Score of 0 leaves out texts whose embeddings point away from the question.
		expect(hits.length).toBeGreaterThan(0);
		expect(hits.every((h) => (h.json.score as number) >= 0)).toBe(true);
		expect(hits[0].json).toMatchObject({ text: 'The cat sleeps on the sofa', metadata: { source: 'pets', year: 2021 } });
		const filtered = await run({ backend: 'embedded', operation: 'query', namespace: 'kb', query: 'anything', filter: '{"source": "pets", "year": {"$gt": 2022}}' });
		expect(filtered.map((h) => h.json.text)).toEqual(['A dog chases a ball in the park']);

		expect((await run({ backend: 'embedded', operation: 'stats', namespace: 'kb' }))[0].json).toEqual({ namespace: 'kb', count: 3, dimensions: 16 });
		expect((await run({ backend: 'embedded', operation: 'delete', namespace: 'kb', filter: '{"source": "finance"}' }))[0].json).toEqual({ namespace: 'kb', deleted: 1 });
		expect((await run({ backend: 'embedded', operation: 'clear', namespace: 'kb' }))[0].json).toEqual({ namespace: 'kb', cleared: true });
		expect((await run({ backend: 'embedded', operation: 'stats', namespace: 'kb' }))[0].json).toEqual({ namespace: 'kb', count: 0, dimensions: null });
	});

	it('returns at most Top K texts, 4 unless set', async () => {
		const many = Array.from({ length: 6 }, (_, i) => ({ json: { text: `note number ${i} about plants` } }));
		await run({ backend: 'embedded', operation: 'insert', namespace: 'topk' }, many);
		expect(await run({ backend: 'embedded', operation: 'query', namespace: 'topk', query: 'plants' })).toHaveLength(4);
		expect(await run({ backend: 'embedded', operation: 'query', namespace: 'topk', query: 'plants', topK: 2 })).toHaveLength(2);
	});

	it('under Continue On Fail, fails only the item whose filter is not JSON', async () => {
		await run({ backend: 'embedded', operation: 'insert', namespace: 'cof' }, docs);
		const filters = ['{"source": "pets"}', '{source: pets}'];
		const out = await run((i) => ({ backend: 'embedded', operation: 'query', namespace: 'cof', query: 'cat', filter: filters[i] }), [{ json: {} }, { json: {} }], true);
		const failed = out.filter((item) => item.error);
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toEqual({ error: 'Metadata Filter is not valid JSON', errorDescription: expect.stringContaining('JSON object') });
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(out.filter((item) => !item.error).every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('under Continue On Fail, stores each namespace as its own batch and fails only the item with an invalid namespace', async () => {
		const items = [{ json: { text: 'fine text' } }, { json: { text: 'another fine text' } }];
		const out = await run((i) => ({ backend: 'embedded', operation: 'insert', namespace: i === 0 ? 'ok' : 'bad name!' }), items, true);
		expect(out.map((item) => [item.pairedItem, item.error ? item.json.error : item.json.documents])).toEqual([
			[[{ item: 0 }], 1],
			[{ item: 1 }, 'Invalid namespace "bad name!"'],
		]);
	});

	it('names the credential of a backend that has none set, for every item under Continue On Fail', async () => {
		await expect(run({ backend: 'qdrant', operation: 'stats' })).rejects.toThrow('Node does not have any credentials set for "qdrantAgenticApi"');
		const out = await run({ backend: 'qdrant', operation: 'stats' }, [{ json: {} }, { json: {} }], true);
		expect(out.map((item) => [item.json.error, item.pairedItem])).toEqual([
			['Node does not have any credentials set for "qdrantAgenticApi"', { item: 0 }],
			['Node does not have any credentials set for "qdrantAgenticApi"', { item: 1 }],
		]);
	});

	it('refuses embeddings of another size than the namespace holds, naming both sizes and the Dimensions option', async () => {
		await run({ backend: 'embedded', operation: 'insert', namespace: 'dims' }, docs.slice(0, 1));
		const error = await run({ backend: 'embedded', operation: 'query', namespace: 'dims', query: 'cat', dimensions: 8 }).catch((e) => e);
		expect(error.message).toBe('Dimension mismatch: the embeddings from the embedding model "text-embedding-3-small" have 8 dimensions but namespace "dims" holds vectors of 16 dimensions');
		expect(error.description).toMatch(/Dimensions option/);
	});
});
