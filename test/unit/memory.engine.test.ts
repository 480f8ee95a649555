// The Vector Memory engine's parts: chunking, filter validation, and the embeddings client against the fake OpenAI server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchTransport, type HttpTransport } from '../../nodes/shared/http';
import { chunkText } from '../../nodes/VectorMemory/chunking';
import { OpenAiEmbedder } from '../../nodes/VectorMemory/embeddings';
import { matchesFilter, validateFilter } from '../../nodes/VectorMemory/filter';
import { VectorMemory } from '../../nodes/VectorMemory/memory';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';
import { fakeEmbedding, startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';

describe('chunkText', () => {
	const text = Array.from({ length: 40 }, (_, i) => `Sentence ${i} tells a small story.`).join(' ');

	it('keeps short texts whole and drops empty ones', () => {
		expect(chunkText('  hello world  ', { chunkSize: 100, chunkOverlap: 10 })).toEqual(['hello world']);
		expect(chunkText(' \n ', { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
	});

	it('cuts long texts at sentence or word boundaries within the size, overlapping neighbours', () => {
		const chunks = chunkText(text, { chunkSize: 200, chunkOverlap: 40 });
		expect(chunks.length).toBeGreaterThan(6);
		for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
		for (const chunk of chunks.slice(0, -1)) expect(chunk).toMatch(/\.$/);
		// Each chunk starts inside the last 40 characters (the overlap) of the one before.
		for (let i = 1; i < chunks.length; i++) expect(chunks[i - 1].slice(-41)).toContain(chunks[i].slice(0, 12));
		// Nothing lost: every sentence is in some chunk.
		for (let i = 0; i < 40; i++) expect(chunks.some((c) => c.includes(`Sentence ${i} tells`))).toBe(true);
	});

	it('rejects an overlap not smaller than the size, naming the parameter', () => {
		expect(() => chunkText(text, { chunkSize: 100, chunkOverlap: 100 })).toThrow(/Chunk Overlap/);
		expect(() => chunkText(text, { chunkSize: 0, chunkOverlap: 0 })).toThrow(/Chunk Size/);
	});
});

describe('metadata filters', () => {
	it('accepts equality, $in and ranges and matches them', () => {
		const filter = validateFilter({ kind: 'pet', lang: { $in: ['en', 'fr'] }, year: { $gte: 2020, $lt: 2024 } })!;
		expect(matchesFilter({ kind: 'pet', lang: 'fr', year: 2022 }, filter)).toBe(true);
		expect(matchesFilter({ kind: 'pet', lang: 'de', year: 2022 }, filter)).toBe(false);
		expect(matchesFilter({ kind: 'pet', lang: 'en', year: 2024 }, filter)).toBe(false);
		expect(matchesFilter({ kind: 'pet', lang: 'en', year: '2022' }, filter)).toBe(false);
	});

	it.each([
		[{ year: { $between: [1, 2] } }, /field "year".*unknown operator "\$between"/],
		[{ lang: { $in: [] } }, /field "lang".*\$in/],
		[{ year: { $gt: '2020' } }, /field "year".*\$gt needs a number/],
		[{ tags: ['a', 'b'] }, /field "tags"/],
		[{ 'bad field!': 1 }, /field "bad field!"/],
		[[1, 2], /must be a JSON object/],
	])('rejects %j naming the field', (filter, message) => {
		expect(() => validateFilter(filter)).toThrow(message);
	});
});

describe('OpenAiEmbedder against the fake OpenAI server', () => {
	let fake: FakeOpenAI;
	beforeAll(async () => {
		fake = await startFakeOpenAI({ embeddingDims: 48 });
	});
	afterAll(() => fake.close());
	beforeEach(() => fake.requests.splice(0));
	const embedRequests = () => fake.requests.filter((r) => r.path === '/v1/embeddings');

	it('embeds in batches, in order, with the key, organization, extra headers, model and dimensions', async () => {
		const embedder = new OpenAiEmbedder({
			apiKey: 'sk-test-key',
			baseUrl: fake.url,
			organization: 'org-42',
			headers: { 'x-team': 'memory' },
			model: 'text-embedding-3-small',
			dimensions: 24,
			batchSize: 2,
		});
		const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
		const vectors = await embedder.embed(texts);
		expect(vectors).toEqual(texts.map((t) => fakeEmbedding(t, 24)));
		const sent = embedRequests();
		expect(sent.map((r) => r.body.input)).toEqual([['alpha', 'beta'], ['gamma', 'delta'], ['epsilon']]);
		expect(sent[0].headers.authorization).toBe('Bearer sk-test-key');
		expect(sent[0].headers['openai-organization']).toBe('org-42');
		expect(sent[0].headers['x-team']).toBe('memory');
		expect(sent[0].body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 24 });
	});

	it('retries a 429 honouring Retry-After, then succeeds', async () => {
		let calls = 0;
		const waits: number[] = [];
		const flaky: HttpTransport = async (request) => {
			calls++;
			if (calls === 1) return { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'Rate limit reached' } } };
			return fetchTransport(request);
		};
		const embedder = new OpenAiEmbedder({
			apiKey: 'sk-test-key',
			baseUrl: fake.url,
			model: 'text-embedding-3-small',
			transport: flaky,
			retry: { sleep: async (ms) => void waits.push(ms) },
		});
		expect(await embedder.embed(['one'])).toEqual([fakeEmbedding('one', 48)]);
		expect(waits).toEqual([2000]);
	});

	it('names the credential on a refused key and never shows the key', async () => {
		const embedder = new OpenAiEmbedder({ apiKey: 'sk-wrong-key-123', baseUrl: fake.url, model: 'text-embedding-3-small' });
		const error = (await embedder.embed(['x']).then(
			() => new Error('no error'),
			(e: Error) => e,
		)) as Error & { description?: string };
		expect(error.message).toMatch(/refused the API key \(HTTP 401\)/);
		expect(error.description).toContain('OpenAI-Compatible API');
		expect(`${error.message} ${error.description}`).not.toContain('sk-wrong-key-123');
	});

	it('writes nothing when a later embeddings batch fails', async () => {
		let calls = 0;
		const failSecond: HttpTransport = async (request) => (++calls === 2 ? { status: 400, headers: {}, body: { error: { message: 'input too long' } } } : fetchTransport(request));
		const dir = mkdtempSync(join(tmpdir(), 'memory-unit-'));
		try {
			const store = new EmbeddedStore({ directory: dir });
			const memory = new VectorMemory(store, new OpenAiEmbedder({ apiKey: 'sk-test-key', baseUrl: fake.url, model: 'm', batchSize: 2, transport: failSecond }));
			await expect(memory.upsert('ns', [{ text: 'a' }, { text: 'b' }, { text: 'c' }], { chunkSize: 100, chunkOverlap: 0 })).rejects.toThrow(/HTTP 400.*input too long/);
			expect(await store.stats('ns')).toEqual({ count: 0, dimensions: null });
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
