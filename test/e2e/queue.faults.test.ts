// Faults in n8n queue mode: a worker killed (-9) in the middle of an Agent Brain run, Redis restarted during a run, the
// conversation store's Postgres unreachable. Nothing is half-stored, the other worker goes on, a retry succeeds.
import { postgresMissing, query } from '../helpers/postgres';
import { redisMissing } from '../helpers/redis';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest, type ScriptedReply } from '../fakes/openai';
import type { WorkflowSpec } from './harness';
import { startN8nQueue, workerOf, type QueueDeployment } from './queue';

const OPENAI_KEY = 'sk-queue-faults-key';
const servicesMissing = postgresMissing() ?? redisMissing();

function agentWorkflow(name: string, path: string, postgresCredential: string): WorkflowSpec {
	return {
		name,
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `queue-faults-${path}`,
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
			},
			{
				name: 'Agent Brain',
				type: 'n8n-nodes-agentic.agentBrain',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					task: '={{ $json.body.task }}',
					model: 'gpt-4o-mini',
					builtInTools: ['currentDateTime'],
					sessionId: '={{ $json.body.sessionId }}',
					conversationStore: 'postgres',
				},
				credentials: { openAiCompatibleAgenticApi: { name: 'Faults model' }, postgres: { name: postgresCredential } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] } },
	};
}

const sharedSession = agentWorkflow('Faults: agent', 'faults-agent', 'Faults Postgres');
const unreachableStore = agentWorkflow('Faults: store unreachable', 'faults-unreachable', 'Unreachable Postgres');

/** Tasks that start with "slow" make the model take `slowMs` before its first reply: time to break something. */
let slowMs = 0;
let modelCalled: () => void = () => undefined;
function reply(request: FakeRequest): Promise<ScriptedReply> | ScriptedReply {
	const messages: Array<{ role: string; content?: unknown }> = request.body.messages ?? [];
	const lastUser = messages.map((m) => m.role).lastIndexOf('user');
	const task = String(messages[lastUser]?.content ?? '');
	const toolDone = messages.slice(lastUser).some((m) => m.role === 'tool');
	if (!toolDone) {
		modelCalled();
		const delayMs = task.startsWith('slow') ? slowMs : 0;
		return { delayMs, toolCalls: [{ name: 'current_datetime', arguments: {} }] };
	}
	return { content: `done: ${task}` };
}

let queue: QueueDeployment | undefined;
let openai: FakeOpenAI | undefined;

const post = (path: string, body: unknown, timeoutMs?: number) => queue!.main.webhook(path, body, { timeoutMs });
const executions = (workflowName: string) => queue!.main.executions(workflowName);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await probe();
		if (found !== undefined) return found;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

const turnsOf = (sessionId: string) =>
	query<{ messages: Array<{ role: string; content?: string }> }>(queue!.postgres, 'SELECT messages FROM agentic_conversation_turns WHERE session_id = $1 ORDER BY id', [sessionId]);

if (servicesMissing && process.env.CI === 'true') {
	it('needs real Postgres and Redis under CI', () => {
		throw new Error(`queue-mode fault tests cannot run: ${servicesMissing}`);
	});
} else if (servicesMissing) {
	console.warn(`Skipping the queue-mode fault tests: ${servicesMissing}`);
}

(servicesMissing ? describe.skip : describe)('n8n queue mode, faults', () => {
	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, script: Array.from({ length: 1000 }, () => reply) });
		// A dead worker's job counts as stalled once its lock lapses: seconds here instead of n8n's default minute.
		queue = await startN8nQueue({
			workers: 2,
			env: { QUEUE_WORKER_LOCK_DURATION: '6000', QUEUE_WORKER_LOCK_RENEW_TIME: '2000', QUEUE_WORKER_STALLED_INTERVAL: '3000' },
			credentials: ({ host, port, database, user }) => [
				{ name: 'Faults Postgres', type: 'postgres', data: { host, port, database, user, password: '', ssl: 'disable' } },
				{ name: 'Unreachable Postgres', type: 'postgres', data: { host: '127.0.0.1', port: 1, database, user, password: 'pg-secret-pass', ssl: 'disable' } },
				{ name: 'Faults model', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai!.url } },
			],
			workflows: [sharedSession, unreachableStore],
		});
	}, 400_000);
	afterAll(async () => {
		await queue?.stop();
		await openai?.close();
	}, 120_000);

	it('a worker killed in the middle of an Agent Brain run: that execution is reported crashed, no half turn is stored, the other worker takes the retry', async () => {
		slowMs = 4000;
		const called = new Promise<void>((resolve) => (modelCalled = resolve));
		const pending = post('faults-agent', { task: 'slow: first try', sessionId: 'killed-mid-run' });
		await called;
		// The execution is running now, on one worker: kill that host.
		const running = await waitFor('the running execution', async () => (await executions(sharedSession.name)).find((e) => e.status === 'running'));
		const victim = workerOf(queue!, running.id);
		expect(victim).toMatch(/^worker-\d$/);
		await queue!.workers.find((w) => w.name === victim)!.kill();
		const answer = await pending;
		expect(answer.status).not.toBe(200);
		const crashed = await waitFor('the execution to be marked failed', async () => {
			const found = (await executions(sharedSession.name)).find((e) => e.id === running.id);
			return found && !['running', 'new', 'waiting'].includes(found.status) ? found : undefined;
		}, 120_000);
		expect(['crashed', 'error']).toContain(crashed.status);
		expect(await turnsOf('killed-mid-run')).toEqual([]);

		slowMs = 0;
		const retry = await post('faults-agent', { task: 'slow: second try', sessionId: 'killed-mid-run' });
		expect(retry).toMatchObject({ status: 200, body: { answer: 'done: slow: second try' } });
		const turns = await turnsOf('killed-mid-run');
		expect(turns).toHaveLength(1);
		expect(turns[0].messages[0]).toEqual({ role: 'user', content: 'slow: second try' });
		const [latest] = await executions(sharedSession.name);
		expect(workerOf(queue!, latest.id)).not.toBe(victim);
	}, 240_000);

	it('Redis restarted during a run: the run finishes and is stored once, and the queue works again', async () => {
		slowMs = 2000;
		const called = new Promise<void>((resolve) => (modelCalled = resolve));
		const pending = post('faults-agent', { task: 'slow: across a Redis restart', sessionId: 'redis-restart' }, 20_000);
		await called;
		const running = await waitFor('the running execution', async () => (await executions(sharedSession.name)).find((e) => e.status === 'running'));
		await queue!.redis.restart();
		// n8n's main may never answer this webhook call: the worker's "finished" message went to the Redis that restarted.
		const answer = await pending;
		if (answer.status === 200) expect(answer.body.answer).toBe('done: slow: across a Redis restart');
		else expect(answer.body).toEqual({ failed: 'TimeoutError' });
		// The execution itself ran to its end on the worker, and its turn is stored exactly once.
		const ended = await waitFor('the execution to end', async () => {
			const found = (await executions(sharedSession.name)).find((e) => e.id === running.id);
			return found && found.status !== 'running' ? found : undefined;
		});
		expect(ended.status).toBe('success');
		expect((await turnsOf('redis-restart')).map((t) => t.messages[0].content)).toEqual(['slow: across a Redis restart']);
		slowMs = 0;
		// The queue works again after the restart, and the session holds each finished turn once.
		const after = await waitFor('a run after the restart', async () => {
			const res = await post('faults-agent', { task: 'after the restart', sessionId: 'redis-restart' });
			return res.status === 200 ? res : undefined;
		}, 90_000);
		expect(after.body.answer).toBe('done: after the restart');
		const tasks = (await turnsOf('redis-restart')).map((t) => t.messages[0].content);
		expect(new Set(tasks).size).toBe(tasks.length);
		expect(tasks).toContain('after the restart');
	}, 240_000);

	it('the conversation store unreachable: the error names the Conversation Store and its credential, with no secret in it', async () => {
		const answer = await post('faults-unreachable', { task: 'hello', sessionId: 'nowhere' });
		expect(answer.status).toBe(500);
		const failed = await waitFor('the failed execution', async () => (await executions(unreachableStore.name)).find((e) => e.status === 'error'));
		const execution = await queue!.main.client.rest('GET', `/executions/${failed.id}`);
		const text = JSON.stringify(execution);
		expect(text).toContain('The Conversation Store (Postgres) could not be reached');
		expect(text).toMatch(/Check the host, port and database in the \\+"Unreachable Postgres\\+" credential of the Conversation Store/);
		expect(text).not.toContain('pg-secret-pass');
	}, 120_000);
});
