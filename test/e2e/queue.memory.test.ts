// Vector Memory on pgvector in n8n queue mode: documents ingested through one worker are found through another, and
// a worker killed (-9) in the middle of an insert leaves no half batch; the insert run again stores every document once.
import { postgresMissing, query } from '../helpers/postgres';
import { redisMissing } from '../helpers/redis';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import type { WorkflowSpec } from './harness';
import { startN8nQueue, workerOf, type QueueDeployment } from './queue';

const OPENAI_KEY = 'sk-queue-memory-key';
const servicesMissing = postgresMissing() ?? redisMissing();
const MEMORY = 'n8n-nodes-agentic.vectorMemory';
const credentials = { openAiCompatibleAgenticApi: { name: 'Memory embeddings' }, pgVectorAgenticApi: { name: 'Memory pgvector' } };
const pgvector = { backend: 'pgvector', tableName: 'queue_knowledge', namespace: 'handbook' };

function webhookWorkflow(name: string, path: string, nodes: WorkflowSpec['nodes']): WorkflowSpec {
	const all = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `queue-memory-${path}`,
			parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		...nodes,
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { name, nodes: all, connections };
}

const ingest = webhookWorkflow('Queue memory: ingest', 'knowledge-ingest', [
	{ name: 'Split Docs', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.docs', include: 'noOtherFields' } },
	{
		name: 'Remember',
		type: MEMORY,
		typeVersion: 1,
		position: [400, 0],
		credentials,
		parameters: { ...pgvector, operation: 'insert', textField: 'text', idField: 'id', metadataFields: 'url' },
	},
]);

const ask = webhookWorkflow('Queue memory: ask', 'knowledge-ask', [
	{
		name: 'Recall',
		type: MEMORY,
		typeVersion: 1,
		position: [200, 0],
		credentials,
		parameters: { ...pgvector, operation: 'query', query: '={{ $json.body.q }}', topK: 2 },
	},
]);

const docs = Array.from({ length: 40 }, (_, n) => ({ id: `doc-${n}`, text: `Handbook page ${n}: gate ${n} opens at ${n % 12} o'clock.`, url: `https://handbook.example/${n}` }));

let queue: QueueDeployment | undefined;
let openai: FakeOpenAI | undefined;

const rowCount = async () => Number((await query<{ n: string }>(queue!.postgres, 'SELECT count(*) AS n FROM queue_knowledge'))[0].n);

if (servicesMissing && process.env.CI === 'true') {
	it('needs real Postgres and Redis under CI', () => {
		throw new Error(`queue-mode memory tests cannot run: ${servicesMissing}`);
	});
} else if (servicesMissing) {
	console.warn(`Skipping the queue-mode memory tests: ${servicesMissing}`);
}

(servicesMissing ? describe.skip : describe)('Vector Memory on pgvector in n8n queue mode', () => {
	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
		queue = await startN8nQueue({
			workers: 2,
			env: { QUEUE_WORKER_LOCK_DURATION: '6000', QUEUE_WORKER_LOCK_RENEW_TIME: '2000', QUEUE_WORKER_STALLED_INTERVAL: '3000' },
			credentials: ({ host, port, database, user }) => [
				{ name: 'Memory embeddings', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai!.url } },
				{ name: 'Memory pgvector', type: 'pgVectorAgenticApi', data: { host, port, database, user, password: '', ssl: 'disable' } },
			],
			workflows: [ingest, ask],
		});
	}, 400_000);
	afterAll(async () => {
		await queue?.stop();
		await openai?.close();
	}, 120_000);

	it('a worker killed in the middle of an insert leaves no half batch, and the insert run again stores each document once', async () => {
		openai!.embeddingDelayMs = 4000;
		const pending = queue!.main.webhook('knowledge-ingest', { docs }, { timeoutMs: 90_000 });
		const running = await waitFor(async () => (await queue!.main.executions(ingest.name)).find((e) => e.status === 'running'));
		await waitFor(async () => (openai!.requests.some((r) => r.path.endsWith('/embeddings')) ? true : undefined));
		const victim = workerOf(queue!, running.id)!;
		await queue!.workers.find((w) => w.name === victim)!.kill();
		expect((await pending).status).not.toBe(200);
		// The batch is embedded whole, then written in one transaction: a dead worker wrote none of it.
		expect(await rowCount().catch(() => 0)).toBe(0);
		queue!.workers.splice(queue!.workers.findIndex((w) => w.name === victim), 1);
		await queue!.addWorker();

		openai!.embeddingDelayMs = 0;
		const again = await queue!.main.webhook('knowledge-ingest', { docs });
		expect(again.status).toBe(200);
		expect(await rowCount()).toBe(docs.length);
		// Stable ids: a second run of the same insert updates, it does not duplicate.
		expect((await queue!.main.webhook('knowledge-ingest', { docs })).status).toBe(200);
		expect(await rowCount()).toBe(docs.length);
	}, 240_000);

	it('documents ingested through one worker are found through another', async () => {
		const [ingested] = await queue!.main.executions(ingest.name);
		const ingestedOn = workerOf(queue!, ingested.id)!;
		expect(ingestedOn).toMatch(/^worker-\d$/);
		await queue!.workers.find((w) => w.name === ingestedOn)!.stop();
		queue!.workers.splice(queue!.workers.findIndex((w) => w.name === ingestedOn), 1);
		await queue!.addWorker();
		const answer = await queue!.main.webhook('knowledge-ask', { q: docs[7].text });
		expect(answer.status).toBe(200);
		const hits = answer.body as unknown as Array<{ text: string; metadata: { url: string } }>;
		expect(hits[0]).toMatchObject({ text: docs[7].text, metadata: { url: docs[7].url } });
		const [asked] = await queue!.main.executions(ask.name);
		expect(workerOf(queue!, asked.id)).not.toBe(ingestedOn);
	}, 180_000);
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await probe();
		if (found !== undefined) return found;
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 200));
	}
}
