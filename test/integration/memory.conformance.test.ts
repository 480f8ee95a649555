// One conformance suite for every Vector Memory backend: the same operations must give the same answers.
// Embedded runs on a temp folder; pgvector on real Postgres + pgvector code (PGlite) over the wire protocol;
// Chroma on a real Chroma server; Qdrant and Pinecone (which cannot run here) on local fakes of their REST APIs.
import type { ChildProcess } from 'node:child_process';
import { AgenticError } from '../../nodes/shared/errors';
import { VectorMemory } from '../../nodes/VectorMemory/memory';
import { PgVectorStore } from '../../nodes/VectorMemory/stores/pgvector';
import type { StoreBackend } from '../../nodes/VectorMemory/types';
import { backends, startPostgres, wordEmbedder } from './memory.backends';

const docs = [
	{ text: 'The cat sleeps on the warm sofa', metadata: { kind: 'pet', year: 2021, lang: 'en' } },
	{ text: 'A dog runs in the park chasing a ball', metadata: { kind: 'pet', year: 2023, lang: 'en' } },
	{ text: 'Quarterly invoice for cloud servers', metadata: { kind: 'finance', year: 2024, lang: 'en' } },
	{ text: 'Le chat dort sur le canapé', metadata: { kind: 'pet', year: 2022, lang: 'fr' } },
	{ text: 'Server outage report and invoice dispute', metadata: { kind: 'ops', year: 2024, lang: 'en' } },
];
const chunking = { chunkSize: 1000, chunkOverlap: 0 };

describe.each(backends)('Vector Memory on the $name backend', (backend) => {
	let store: StoreBackend;
	let memory: VectorMemory;
	let embedder: ReturnType<typeof wordEmbedder>;

	beforeAll(async () => {
		store = await backend.start();
	}, 60_000);
	afterAll(async () => {
		await store.close();
		await backend.stop();
	});
	beforeEach(() => {
		embedder = wordEmbedder();
		memory = new VectorMemory(store, embedder);
	});

	it('returns the closest texts first with their text, metadata and score', async () => {
		const report = await memory.upsert('rank', docs, chunking);
		expect(report).toMatchObject({ chunks: 5, skippedEmpty: 0 });
		const hits = await memory.query('rank', 'invoice for the servers', { topK: 2 });
		expect(hits).toHaveLength(2);
		expect(hits[0].text).toBe('Quarterly invoice for cloud servers');
		expect(hits[0].metadata).toEqual({ kind: 'finance', year: 2024, lang: 'en' });
		expect(hits[0].score).toBeGreaterThan(hits[1].score);
		expect(hits[0].score).toBeLessThanOrEqual(1.0001);
		const exact = await memory.query('rank', 'The cat sleeps on the warm sofa', { topK: 1 });
		expect(exact[0].score).toBeCloseTo(1, 3);
	});

	it('updates instead of duplicating when the same content is inserted again', async () => {
		const first = await memory.upsert('stable', docs.slice(0, 2), chunking);
		const again = await memory.upsert('stable', [{ ...docs[0], metadata: { kind: 'cat', year: 2025, lang: 'en' } }], chunking);
		expect(again.ids[0]).toBe(first.ids[0]);
		expect((await memory.stats('stable')).count).toBe(2);
		const [hit] = await memory.query('stable', docs[0].text, { topK: 1 });
		expect(hit.metadata.kind).toBe('cat');
	});

	it('uses the caller ids, numbering chunks of long texts', async () => {
		const long = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} about gardening.`).join(' ');
		const report = await memory.upsert('chunks', [{ id: 'doc-1', text: long, metadata: { source: 'garden' } }], { chunkSize: 200, chunkOverlap: 20 });
		expect(report.chunks).toBeGreaterThan(3);
		expect(report.ids[0]).toBe('doc-1#0');
		const hits = await memory.query('chunks', 'Sentence number 29 about gardening', { topK: 1 });
		expect(hits[0].id).toBe(`doc-1#${report.chunks - 1}`);
		expect(hits[0].metadata).toEqual({ source: 'garden', chunk: report.chunks - 1 });
	});

	it('filters on metadata by equality, list membership and numeric range', async () => {
		await memory.upsert('filters', docs, chunking);
		const texts = async (filter: unknown) => (await memory.query('filters', 'cat dog invoice server', { topK: 10, filter })).map((h) => h.text).sort();
		expect(await texts({ kind: 'pet', lang: 'fr' })).toEqual(['Le chat dort sur le canapé']);
		expect(await texts({ kind: { $in: ['finance', 'ops'] } })).toEqual(['Quarterly invoice for cloud servers', 'Server outage report and invoice dispute']);
		expect(await texts({ year: { $gte: 2022, $lt: 2024 } })).toEqual(['A dog runs in the park chasing a ball', 'Le chat dort sur le canapé']);
		expect(await texts({ kind: { $eq: 'pet' }, year: { $gt: 2022 } })).toEqual(['A dog runs in the park chasing a ball']);
		expect(await texts({ kind: 'nothing' })).toEqual([]);
	});

	it('drops hits below the minimum score', async () => {
		await memory.upsert('minscore', docs, chunking);
		const all = await memory.query('minscore', 'cat sofa', { topK: 5 });
		const cut = (all[0].score + all[all.length - 1].score) / 2;
		const strong = await memory.query('minscore', 'cat sofa', { topK: 5, minScore: cut });
		expect(strong.length).toBeGreaterThan(0);
		expect(strong.length).toBeLessThan(all.length);
		expect(strong).toEqual(all.filter((h) => h.score >= cut));
	});

	it('deletes by ids and by filter, and says how many went', async () => {
		const { ids } = await memory.upsert('delete', docs, chunking);
		expect(await memory.delete('delete', { ids: [ids[0], 'no-such-id'] })).toBe(1);
		expect(await memory.delete('delete', { filter: { year: 2024 } })).toBe(2);
		const left = (await memory.query('delete', 'cat dog invoice', { topK: 10 })).map((h) => h.id).sort();
		expect(left).toEqual([ids[1], ids[3]].sort());
		expect((await memory.stats('delete')).count).toBe(2);
	});

	it('clears one namespace and leaves the others alone', async () => {
		await memory.upsert('clear-a', docs, chunking);
		await memory.upsert('clear-b', docs.slice(0, 2), chunking);
		await memory.clear('clear-a');
		expect((await memory.stats('clear-a')).count).toBe(0);
		expect(await memory.query('clear-a', 'cat', { topK: 3 })).toEqual([]);
		expect(await memory.stats('clear-b')).toEqual({ count: 2, dimensions: 64 });
		await memory.upsert('clear-a', docs.slice(0, 1), chunking);
		expect((await memory.stats('clear-a')).count).toBe(1);
	});

	it('refuses embeddings whose size differs from the namespace, naming both sizes', async () => {
		await memory.upsert('dims', docs.slice(0, 1), chunking);
		const other = new VectorMemory(store, wordEmbedder(32));
		await expect(other.upsert('dims', docs.slice(1, 2), chunking)).rejects.toThrow(/32 dimensions.*64 dimensions/);
		await expect(other.query('dims', 'cat', { topK: 1 })).rejects.toThrow(/32 dimensions.*64 dimensions/);
		expect((await memory.stats('dims')).count).toBe(1);
	});

	it('writes nothing of a batch whose embedding fails', async () => {
		embedder.failOnCall = 1;
		await expect(memory.upsert('failing', docs, chunking)).rejects.toThrow('embeddings API down');
		expect((await memory.stats('failing')).count).toBe(0);
	});

	it('skips empty texts and counts them', async () => {
		const report = await memory.upsert('empty', [{ text: '' }, { text: '   \n' }, docs[0]], chunking);
		expect(report).toMatchObject({ chunks: 1, skippedEmpty: 2 });
		expect((await memory.stats('empty')).count).toBe(1);
	});

	it('keeps short namespaces apart from look-alike longer ones, and takes names ending in "_" or "-"', async () => {
		await memory.upsert('ab', [docs[0]], chunking);
		await memory.upsert('ns_ab', [docs[1], docs[2]], chunking);
		await memory.upsert('tail_', [docs[3]], chunking);
		await memory.upsert('tail-', [docs[4]], chunking);
		expect((await memory.stats('ab')).count).toBe(1);
		expect((await memory.stats('ns_ab')).count).toBe(2);
		expect((await memory.query('ab', docs[1].text, { topK: 5 })).map((h) => h.text)).toEqual([docs[0].text]);
		expect((await memory.query('tail_', docs[3].text, { topK: 5 })).map((h) => h.text)).toEqual([docs[3].text]);
		expect((await memory.query('tail-', docs[4].text, { topK: 5 })).map((h) => h.text)).toEqual([docs[4].text]);
		await memory.clear('ab');
		expect((await memory.stats('ns_ab')).count).toBe(2);
	});

	it('drops the chunks a document no longer has when it is stored again under its id', async () => {
		const sentences = (n: number, word: string) => Array.from({ length: n }, (_, i) => `Sentence ${i} about ${word}.`).join(' ');
		const small = { chunkSize: 60, chunkOverlap: 0 };
		const first = await memory.upsert('shrink', [{ id: 'doc-2', text: sentences(30, 'tulips') }], small);
		expect(first.chunks).toBeGreaterThan(10);
		await memory.upsert('shrink', [{ id: 'doc-1', text: 'Another document about ferns.' }], small);
		const shorter = await memory.upsert('shrink', [{ id: 'doc-2', text: sentences(3, 'roses') }], small);
		expect((await memory.stats('shrink')).count).toBe(shorter.chunks + 1);
		expect((await memory.query('shrink', 'Sentence 15 about tulips', { topK: 20 })).some((h) => h.text.includes('tulips'))).toBe(false);
		await memory.upsert('shrink', [{ id: 'doc-2', text: 'Now one short text about daisies.' }], small);
		expect((await memory.stats('shrink')).count).toBe(2);
		const again = await memory.upsert('shrink', [{ id: 'doc-2', text: sentences(4, 'lilies') }], small);
		expect((await memory.stats('shrink')).count).toBe(again.chunks + 1);
		const ids = (await memory.query('shrink', 'lilies daisies ferns', { topK: 20 })).map((h) => h.id).sort();
		expect(ids).toEqual(['doc-1', ...again.ids].sort());
	});

	it('rejects an invalid filter naming the field', async () => {
		await memory.upsert('badfilter', docs.slice(0, 1), chunking);
		await expect(memory.query('badfilter', 'cat', { filter: { year: { $between: [1, 2] } } })).rejects.toThrow(/field "year".*\$between/);
		await expect(memory.query('badfilter', 'cat', { filter: { year: { $gt: 'soon' } } })).rejects.toThrow(/field "year"/);
	});
});

describe('pgvector specifics', () => {
	let server: { port: number; child: ChildProcess };
	const stores: PgVectorStore[] = [];
	const open = (tableName: string, distance: 'cosine' | 'euclidean' | 'innerProduct') => {
		const store = new PgVectorStore({
			connection: { host: '127.0.0.1', port: server.port, user: 'postgres', password: 'postgres', database: 'postgres', max: 1 },
			tableName,
			distance,
		});
		stores.push(store);
		return store;
	};
	beforeAll(async () => {
		server = await startPostgres();
	}, 60_000);
	afterAll(async () => {
		for (const store of stores) await store.close();
		server.child.kill('SIGKILL');
	});

	const records = [
		{ id: 'near', vector: [1, 0.1, 0], text: 'near', metadata: {} },
		{ id: 'long', vector: [3, 0, 0], text: 'long', metadata: {} },
		{ id: 'far', vector: [0, 1, 0], text: 'far', metadata: {} },
	];

	it('creates its table with an HNSW index for the chosen distance', async () => {
		const store = open('pg_cosine', 'cosine');
		await store.insert('ns', records);
		const { Client } = await import('pg');
		const client = new Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password: 'postgres', database: 'postgres' });
		await client.connect();
		const { rows } = await client.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'pg_cosine'`);
		await client.end();
		expect(rows.map((r) => r.indexdef).join('\n')).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
	});

	it('ranks by cosine, Euclidean distance or inner product, with scores that say so', async () => {
		const query = { vector: [1, 0, 0], topK: 3 };
		const cosine = await open('pg_cos2', 'cosine').insert('ns', records).then(() => stores.at(-1)!.search('ns', query));
		expect(cosine.map((h) => h.id)).toEqual(['long', 'near', 'far']);
		expect(cosine[0].score).toBeCloseTo(1, 5);
		const l2 = await open('pg_l2', 'euclidean').insert('ns', records).then(() => stores.at(-1)!.search('ns', query));
		expect(l2.map((h) => h.id)).toEqual(['near', 'far', 'long']);
		expect(l2[0].score).toBeCloseTo(1 / (1 + 0.1), 5);
		const ip = await open('pg_ip', 'innerProduct').insert('ns', records).then(() => stores.at(-1)!.search('ns', query));
		expect(ip.map((h) => h.id)).toEqual(['long', 'near', 'far']);
		expect(ip[0].score).toBeCloseTo(3, 5);
	});

	it('tests the credential by connecting and finding pgvector, and reports a wrong port', async () => {
		const { VectorMemory: VectorMemoryNode } = await import('../../nodes/VectorMemory/VectorMemory.node');
		const test = new VectorMemoryNode().methods.credentialTest.pgVectorAgenticApiConnectionTest;
		const data = { host: '127.0.0.1', port: server.port, database: 'postgres', user: 'postgres', password: 'postgres', ssl: 'disable' };
		const credential = (d: typeof data) => ({ id: '1', name: 'pg', type: 'pgVectorAgenticApi', data: d });
		await expect(test.call({} as never, credential(data))).resolves.toEqual({ status: 'OK', message: 'Connected; pgvector is available' });
		const wrong = await test.call({} as never, credential({ ...data, port: 1 }));
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/ECONNREFUSED/);
	});

	it('names the Table Name to change when a table of that name belongs to something else', async () => {
		const { Client } = await import('pg');
		const client = new Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password: 'postgres', database: 'postgres' });
		await client.connect();
		await client.query('CREATE TABLE someone_elses (note text)');
		await client.query('CREATE TABLE text_embeddings (embedding text, note text)');
		await client.end();
		const insert = (table: string) =>
			open(table, 'cosine')
				.insert('ns', [{ id: 'a', vector: [1, 0, 0], text: 'a', metadata: {} }])
				.then(
					() => undefined,
					(error: AgenticError) => error,
				);
		const failure = await insert('someone_elses');
		expect(failure?.message).toMatch(/^Postgres error 42703: column "\w+".* does not exist/);
		expect(failure?.description).toMatch(/table "someone_elses" was made by something else, choose another Table Name/);
		const textColumn = await insert('text_embeddings');
		expect(textColumn?.message).toBe('The table "text_embeddings" is not a Vector Memory table: its embedding column is text, not vector(n)');
		expect(textColumn?.field).toBe('tableName');
		await expect(open('text_embeddings', 'cosine').stats('ns')).rejects.toThrow(/not a Vector Memory table/);
	});

	it('rejects a table name that is not a plain identifier', () => {
		expect(() => open('drop table; --', 'cosine')).toThrow(/Invalid table name/);
	});
});

