// Deleting by filter from Pinecone, whose query lists at most 10,000 matches: every match goes, or the error says more are left.
// Against the local fake of Pinecone's data-plane API (test/fakes/pinecone.ts), which refuses a topK over 10,000 as Pinecone does.
import { fetchTransport, type HttpTransport } from '../../nodes/shared/http';
import { VectorMemory } from '../../nodes/VectorMemory/memory';
import { PineconeStore } from '../../nodes/VectorMemory/stores/pinecone';
import { startFakePinecone, type FakePinecone } from '../fakes/pinecone';

const DIMS = 4;
const noEmbeddings = { embed: async () => [] as number[][] };
const noWait = { sleep: async () => undefined };

/** `count` records, the first `matching` of them with kind "old", the rest "new". */
function records(count: number, matching: number) {
	return Array.from({ length: count }, (_, i) => ({
		id: `r${i}`,
		vector: [1, (i % 97) / 97, (i % 13) / 13, 1],
		text: `record ${i}`,
		metadata: { kind: i < matching ? 'old' : 'new' },
	}));
}

describe('Deleting by filter from Pinecone', () => {
	let fake: FakePinecone;
	beforeEach(async () => {
		fake = await startFakePinecone({ apiKey: 'pc-key', dimension: DIMS });
	});
	afterEach(async () => {
		await fake.close();
	});

	it('deletes every match when the filter matches more than one query can list, and says how many went', async () => {
		const store = new PineconeStore({ indexHost: fake.url, apiKey: 'pc-key' });
		await store.insert('bulk', records(25_000, 22_000));
		const deleted = await new VectorMemory(store, noEmbeddings).delete('bulk', { filter: { kind: 'old' } });
		expect(deleted).toBe(22_000);
		const left = [...fake.namespaces.get('bulk')!.values()];
		expect(left).toHaveLength(3000);
		expect(left.every((v) => v.metadata?.kind === 'new')).toBe(true);
		const queries = fake.requests.filter((r) => r.path === '/query');
		// Three full or partial lists (10,000, 10,000, 2,000), each within Pinecone's topK limit, ids only.
		expect(queries).toHaveLength(3);
		for (const query of queries) expect(query.body).toMatchObject({ topK: 10_000, includeMetadata: false, includeValues: false });
		for (const request of fake.requests.filter((r) => r.path === '/vectors/delete')) expect(request.body.ids.length).toBeLessThanOrEqual(1000);
	}, 60_000);

	it('counts a record named by id and matched by the filter once', async () => {
		const store = new PineconeStore({ indexHost: fake.url, apiKey: 'pc-key' });
		await store.insert('both', records(30, 10));
		expect(await store.delete('both', { ids: ['r0', 'r1', 'r25'], filter: { kind: 'old' } })).toBe(11);
		expect(fake.namespaces.get('both')!.size).toBe(19);
	});

	it('is faithful to Pinecone: a query asking for more than 10,000 matches is refused', async () => {
		const response = await fetch(`${fake.url}/query`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'api-key': 'pc-key' },
			body: JSON.stringify({ namespace: 'any', vector: [1, 0, 0, 0], topK: 10_001 }),
		});
		expect(response.status).toBe(400);
		expect(((await response.json()) as { message: string }).message).toMatch(/topK must be between 1 and 10000/);
	});

	it('stops after a bounded number of rounds when the index keeps listing what it deleted, saying how many went and that more are left', async () => {
		// An index whose deletes have not shown yet (a serverless index catching up): every delete is answered, nothing goes.
		const lagging: HttpTransport = async (request) =>
			request.url.endsWith('/vectors/delete') ? { status: 200, headers: {}, body: {} } : fetchTransport(request);
		const store = new PineconeStore({ indexHost: fake.url, apiKey: 'pc-key', transport: lagging, retry: noWait });
		await store.insert('stuck', records(10_500, 10_500));
		const failure = await store.delete('stuck', { filter: { kind: 'old' } }).catch((error: Error & { description?: string }) => error);
		expect(failure).toBeInstanceOf(Error);
		expect((failure as Error).message).toBe('Deleted 10000 records matching the filter from Pinecone namespace "stuck", but more still match');
		expect((failure as { description?: string }).description).toMatch(/Run the Delete again to remove the rest/);
		// ceil(10,500 / 10,000) rounds, plus the waits for a lagging index: bounded, never a loop without end.
		expect(fake.requests.filter((r) => r.path === '/query')).toHaveLength(5);
	}, 60_000);
});
