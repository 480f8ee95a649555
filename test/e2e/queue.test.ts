// n8n queue mode (real Postgres, real Redis, main + two workers, each with its own user folder): a photo posted to
// main's webhook is read by the Plate Detector on a worker, its binary travelling through the database; an Agent Brain
// session continues on another worker after the first one stops (Postgres conversation store); when a worker dies,
// the other goes on.
import { readFileSync } from 'node:fs';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { postgresMissing, query } from '../helpers/postgres';
import { redisMissing } from '../helpers/redis';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest, type ScriptedReply } from '../fakes/openai';
import type { WorkflowSpec } from './harness';
import { plateWebhookWorkflow } from '../helpers/workflows';
import { startN8nQueue, workerOf, type QueueDeployment } from './queue';

const OPENAI_KEY = 'sk-queue-e2e-key';

const plateFixtures = requireFixtures('the queue-mode Plate Detector test', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);
const servicesMissing = postgresMissing() ?? redisMissing();

const workflow = plateWebhookWorkflow(plateFixtures, { name: 'Queue: read plate from webhook photo', path: 'queue-plate', webhookId: '3c6a1e0f-52b7-4d8e-b0a4-9f1e2d3c4b5a' });

/** Agent Brain keeping its session in Postgres (the queue's own database), with the built-in date tool. */
const agentWorkflow: WorkflowSpec = {
	name: 'Queue: agent with a shared session',
	nodes: [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '8d2f6b1a-4c3e-4f5a-9b7c-1e2d3f4a5b6c',
			parameters: { httpMethod: 'POST', path: 'queue-agent', responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
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
			credentials: { openAiCompatibleAgenticApi: { name: 'Queue model' }, postgres: { name: 'Queue Postgres' } },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] } },
};

/** First a date tool call, then an answer that says which earlier user messages the model was shown. */
function agentReply(request: FakeRequest): ScriptedReply {
	const messages: Array<{ role: string; content?: unknown; tool_calls?: unknown[] }> = request.body.messages ?? [];
	const lastUser = messages.map((m) => m.role).lastIndexOf('user');
	if (!messages.slice(lastUser).some((m) => m.role === 'tool')) return { toolCalls: [{ name: 'current_datetime', arguments: {} }] };
	const earlier = messages.slice(0, lastUser).filter((m) => m.role === 'user').map((m) => String(m.content));
	return { content: `seen before: ${earlier.join(' | ') || 'nothing'}` };
}

let queue: QueueDeployment | undefined;
let openai: FakeOpenAI | undefined;

const postPhoto = (photo: Buffer) => queue!.main.webhook('queue-plate', photo, { contentType: 'image/png' });
const executionsOf = (workflowName: string) => queue!.main.executions(workflowName);

if (servicesMissing && process.env.CI === 'true') {
	it('needs real Postgres and Redis under CI', () => {
		throw new Error(`queue-mode tests cannot run: ${servicesMissing}`);
	});
} else if (servicesMissing) {
	console.warn(`Skipping the queue-mode tests: ${servicesMissing}`);
}

(servicesMissing ? describe.skip : plateFixtures.describe)('n8n queue mode with two workers', () => {
	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, script: Array.from({ length: 1000 }, () => agentReply) });
		queue = await startN8nQueue({
			workers: 2,
			// The conversation store's credential: n8n's own Postgres credential, on the queue's database.
			credentials: ({ host, port, database, user }) => [
				{ name: 'Queue Postgres', type: 'postgres', data: { host, port, database, user, password: '', ssl: 'disable' } },
				{ name: 'Queue model', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai!.url } },
			],
			workflows: [workflow, agentWorkflow],
		});
	}, 400_000);
	afterAll(async () => {
		await queue?.stop();
		await openai?.close();
	}, 120_000);

	it('reads a photo posted to main on a worker, the binary travelling through the database', async () => {
		const photo = readFileSync(plateFixtures.path(CAR_PHOTO));
		const { status, body } = await postPhoto(photo);
		expect(status).toBe(200);
		expect(body).toMatchObject({ plateText: '5AU5341', plateCount: 1, provider: 'cpu' });
		const [execution] = await executionsOf(workflow.name);
		expect(execution.status).toBe('success');
		// It ran on a worker (whose user folder is not main's), not on main.
		expect(workerOf(queue!, execution.id)).toMatch(/^worker-\d$/);
		expect(queue!.main.logTail(500_000)).not.toMatch(new RegExp(`Worker started execution ${execution.id}\\b`));
	}, 120_000);

	it('continues an Agent Brain session on another worker after the first one stops, tool calls included', async () => {
		const ask = (task: string) => queue!.main.webhook('queue-agent', { task, sessionId: 'guard-desk-1' });
		const first = await ask('My name is Dana.');
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({ answer: 'seen before: nothing', stopReason: 'completed' });
		const [turn1] = await executionsOf(agentWorkflow.name);
		const ranTurn1 = workerOf(queue!, turn1.id)!;
		expect(ranTurn1).toMatch(/^worker-\d$/);
		// That worker's host goes away; a new one joins.
		await queue!.workers.find((w) => w.name === ranTurn1)!.stop();
		queue!.workers.splice(queue!.workers.findIndex((w) => w.name === ranTurn1), 1);
		await queue!.addWorker();

		const before = openai!.requests.length;
		const second = await ask('What is my name?');
		expect(second.status).toBe(200);
		expect(second.body.answer).toBe('seen before: My name is Dana.');
		const [turn2] = await executionsOf(agentWorkflow.name);
		expect(workerOf(queue!, turn2.id)).not.toBe(ranTurn1);
		expect(workerOf(queue!, turn2.id)).toMatch(/^worker-\d$/);
		// The model saw turn 1 whole: the task, the tool call, its result and the answer.
		const seen = openai!.requests.slice(before).find((r) => r.path.endsWith('/chat/completions'))!.body.messages as Array<Record<string, any>>;
		const roles = seen.map((m) => m.role);
		expect(roles.slice(roles.indexOf('user'), roles.lastIndexOf('user'))).toEqual(['user', 'assistant', 'tool', 'assistant']);
		expect(seen.find((m) => m.role === 'assistant' && m.tool_calls)?.tool_calls[0].function.name).toBe('current_datetime');
		// Both turns are rows in the shared table; no secret went into them.
		const rows = await query<{ messages: unknown }>(queue!.postgres, 'SELECT messages FROM agentic_conversation_turns WHERE session_id = $1 ORDER BY id', ['guard-desk-1']);
		expect(rows).toHaveLength(2);
		expect(JSON.stringify(rows)).not.toContain(OPENAI_KEY);
	}, 180_000);

	it('goes on when one worker is killed: the other takes every new photo', async () => {
		const [first, second] = queue!.workers;
		await first.kill();
		const photo = readFileSync(plateFixtures.path(CAR_PHOTO));
		for (let i = 0; i < 3; i++) {
			const { status, body } = await postPhoto(photo);
			expect(status).toBe(200);
			expect(body.plateText).toBe('5AU5341');
		}
		const newest = (await executionsOf(workflow.name)).slice(0, 3);
		expect(newest.map((e) => e.status)).toEqual(['success', 'success', 'success']);
		for (const e of newest) expect(workerOf(queue!, e.id)).toBe(second.name);
	}, 180_000);
});
