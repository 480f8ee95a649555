// How each Vector Memory backend fails: a server that is down, a refused key, a dimension mismatch — clear errors naming what to fix.
import { createServer, type AddressInfo } from 'node:net';
import type { AgenticError } from '../../nodes/shared/errors';
import { VectorMemory } from '../../nodes/VectorMemory/memory';
import { ChromaStore } from '../../nodes/VectorMemory/stores/chroma';
import { PgVectorStore } from '../../nodes/VectorMemory/stores/pgvector';
import { PineconeStore } from '../../nodes/VectorMemory/stores/pinecone';
import { QdrantStore } from '../../nodes/VectorMemory/stores/qdrant';
import { startFakePinecone } from '../fakes/pinecone';
import { startFakeQdrant } from '../fakes/qdrant';

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** Embeds every text as the same unit vector of `dims` dimensions: only the size matters here. */
const fixedEmbedder = (dims: number) => ({ embed: async (texts: string[]) => texts.map(() => [1, ...new Array<number>(dims - 1).fill(0)]) });

const noWait = { retries: 1, sleep: async () => undefined };
const record = { id: 'a', vector: [1, 0, 0], text: 'a', metadata: {} };

describe('Vector Memory backends that are down', () => {
	it.each([
		['Qdrant', (port: number) => new QdrantStore({ baseUrl: `http://127.0.0.1:${port}`, retry: noWait }), 'Qdrant (Agentic) API'],
		['Chroma', (port: number) => new ChromaStore({ baseUrl: `http://127.0.0.1:${port}`, retry: noWait }), 'Chroma (Agentic) API'],
		['Pinecone', (port: number) => new PineconeStore({ indexHost: `http://127.0.0.1:${port}`, apiKey: 'pc-key-1234', retry: noWait }), 'Pinecone (Agentic) API'],
	])('%s: says it could not be reached and which credential holds the address', async (service, make, credential) => {
		const store = make(await deadPort());
		const error = await store.insert('ns', [record]).catch((e) => e);
		expect(error.message).toMatch(new RegExp(`${service} could not be reached after 2 tries`));
		expect(error.description).toContain(credential);
	});

	it('Postgres: names the address it could not reach and the credential', async () => {
		const port = await deadPort();
		const store = new PgVectorStore({ connection: { host: '127.0.0.1', port, user: 'postgres', password: 'pw-secret-42', connectionTimeoutMillis: 2000 } });
		const error = await store.stats('ns').catch((e) => e);
		await store.close();
		expect(error.message).toMatch(new RegExp(`Postgres could not be reached at 127.0.0.1:${port}`));
		expect(error.description).toContain('Postgres Pgvector (Agentic) API');
		expect(error.message).not.toContain('pw-secret-42');
	});
});

describe('Vector Memory backends that refuse the key', () => {
	it('Qdrant and Pinecone name their credential and never show the key', async () => {
		const qdrant = await startFakeQdrant({ apiKey: 'right-key' });
		const pinecone = await startFakePinecone({ apiKey: 'right-key', dimension: 3 });
		try {
			for (const store of [
				new QdrantStore({ baseUrl: qdrant.url, apiKey: 'wrong-key-qd' }),
				new PineconeStore({ indexHost: pinecone.url, apiKey: 'wrong-key-pc' }),
			]) {
				const error = await store.stats('ns').catch((e) => e);
				expect(error.kind).toBe('auth');
				expect(error.description).toMatch(/(Qdrant|Pinecone) \(Agentic\) API/);
				expect(`${error.message} ${error.description}`).not.toMatch(/wrong-key/);
			}
		} finally {
			await qdrant.close();
			await pinecone.close();
		}
	});
});

describe('A Pinecone index of another dimension', () => {
	it('is refused before anything is sent, naming both sizes', async () => {
		const pinecone = await startFakePinecone({ dimension: 64 });
		try {
			const memory = new VectorMemory(new PineconeStore({ indexHost: pinecone.url, apiKey: 'k-123' }), fixedEmbedder(32));
			await expect(memory.upsert('ns', [{ text: 'hello' }], { chunkSize: 100, chunkOverlap: 0 })).rejects.toThrow(/32 dimensions.*64 dimensions/);
			expect(pinecone.requests.filter((r) => r.path === '/vectors/upsert')).toHaveLength(0);
		} finally {
			await pinecone.close();
		}
	});
});

describe('A large batch into Pinecone', () => {
	it('is sent in upserts Pinecone accepts (2 MB at most each) and stores every record', async () => {
		const pinecone = await startFakePinecone({ dimension: 1536 });
		try {
			const store = new PineconeStore({ indexHost: pinecone.url, apiKey: 'k-123' });
			// 300 chunks of OpenAI-sized embeddings: about 10 MB as JSON.
			const records = Array.from({ length: 300 }, (_, i) => ({
				id: `doc-${i}`,
				vector: Array.from({ length: 1536 }, (_, d) => Math.sin(i * 1536 + d) / 40),
				text: `chunk ${i}`,
				metadata: { n: i },
			}));
			await store.insert('big', records);
			const upserts = pinecone.requests.filter((r) => r.path === '/vectors/upsert');
			expect(upserts.length).toBeGreaterThan(1);
			for (const upsert of upserts) {
				expect(Buffer.byteLength(JSON.stringify(upsert.body))).toBeLessThanOrEqual(2_000_000);
				expect(upsert.body.vectors.length).toBeLessThanOrEqual(1000);
			}
			expect(upserts.flatMap((u) => u.body.vectors.map((v: { id: string }) => v.id))).toEqual(records.map((r) => r.id));
			expect(pinecone.namespaces.get('big')?.size).toBe(300);
		} finally {
			await pinecone.close();
		}
	});
});

describe('Deleting many records from Pinecone', () => {
	it('asks only for ids when finding what a filter matches, and fetches ids 1000 at a time', async () => {
		const pinecone = await startFakePinecone({ dimension: 8 });
		try {
			const store = new PineconeStore({ indexHost: pinecone.url, apiKey: 'k-123' });
			const records = Array.from({ length: 1500 }, (_, i) => ({ id: `r${i}`, vector: [1, i % 7, 0, 0, 0, 0, 0, 1], text: 'x'.repeat(500), metadata: { odd: i % 2 === 1 } }));
			await store.insert('many', records);
			expect(await store.delete('many', { filter: { odd: true } })).toBe(750);
			const probe = pinecone.requests.find((r) => r.path === '/query');
			// Pinecone refuses query results over 4 MB: 10,000 matches with their text would be.
			expect(probe?.body).toMatchObject({ topK: 10_000, includeMetadata: false, includeValues: false });
			// All 1500 ids, half of them gone already: two fetches, and only the 750 still there count.
			expect(await store.delete('many', { ids: records.map((r) => r.id) })).toBe(750);
			expect(pinecone.requests.filter((r) => r.path === '/vectors/fetch')).toHaveLength(2);
			expect(pinecone.namespaces.get('many')?.size).toBe(0);
		} finally {
			await pinecone.close();
		}
	});
});

describe('A large batch into Qdrant', () => {
	it('is sent in requests well under Qdrant\'s 32 MB limit and stores every record', async () => {
		const qdrant = await startFakeQdrant({});
		try {
			const store = new QdrantStore({ baseUrl: qdrant.url });
			// 1200 chunks of OpenAI-sized embeddings: about 40 MB as JSON, over Qdrant's default request limit in one go.
			const records = Array.from({ length: 1200 }, (_, i) => ({
				id: `doc-${i}`,
				vector: Array.from({ length: 1536 }, (_, d) => Math.sin(i * 1536 + d) / 40),
				text: `chunk ${i}`,
				metadata: { n: i },
			}));
			await store.insert('big', records);
			const puts = qdrant.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/points'));
			expect(puts.length).toBeGreaterThan(1);
			for (const put of puts) expect(Buffer.byteLength(JSON.stringify(put.body))).toBeLessThanOrEqual(8 * 1024 * 1024);
			expect(puts.flatMap((p) => p.body.points.map((pt: { payload: { id: string } }) => pt.payload.id))).toEqual(records.map((r) => r.id));
			expect(await store.stats('big')).toEqual({ count: 1200, dimensions: 1536 });
		} finally {
			await qdrant.close();
		}
	}, 30_000);
});

describe('Two first writers into a new Qdrant collection', () => {
	it('both store their records: the one that loses the race to create the collection is not failed', async () => {
		const qdrant = await startFakeQdrant({});
		try {
			const store = new QdrantStore({ baseUrl: qdrant.url });
			const record = (id: string) => ({ id, vector: [0.6, 0.8, 0], text: id, metadata: {} });
			await Promise.all([store.insert('race', [record('a')]), store.insert('race', [record('b')])]);
			const creates = qdrant.requests.filter((r) => r.method === 'PUT' && r.path === '/collections/race');
			expect(creates).toHaveLength(2);
			expect(await store.stats('race')).toEqual({ count: 2, dimensions: 3 });
		} finally {
			await qdrant.close();
		}
	});
});

describe('A backend that refuses a request', () => {
	it('says where to look: the credential named, the service\'s explanation kept', async () => {
		// Chroma answers 404 like this when the credential names a tenant or database that does not exist.
		const transport = async () => ({ status: 404, headers: {}, body: { error: 'NotFoundError', message: 'Database missing_db not found' } });
		const store = new ChromaStore({ baseUrl: 'http://chroma.local:8000', database: 'missing_db', transport, retry: noWait });
		const failure = await store.insert('ns', [record]).then(
			() => undefined,
			(error: AgenticError) => error,
		);
		expect(failure?.message).toMatch(/^Chroma answered HTTP 404 to POST .*Database missing_db not found/);
		expect(failure?.description).toBe('Chroma\'s own explanation is in the message. Check the URL and settings in the "Chroma (Agentic) API" credential, then the node\'s parameters.');
	});
});
