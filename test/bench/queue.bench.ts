// Queue-mode throughput: N concurrent webhook calls of the plate workflow (CPU-bound) and of an agent workflow
// (I/O-bound: a fake model with a fixed 100 ms latency per call, two calls per run) against 1 and then 2 workers,
// counting executions lost or run twice. `npm run bench -- queue [--calls N] [--concurrency C]`.
import { readFileSync } from 'node:fs';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { plateWebhookWorkflow } from '../helpers/workflows';
import { startN8nQueue, type QueueDeployment } from '../e2e/queue';
import type { WorkflowSpec } from '../e2e/harness';
import { startFakeOpenAI, type FakeRequest, type ScriptedReply } from '../fakes/openai';

const MODEL_LATENCY_MS = 100;
const BENCH_KEY = 'sk-queue-bench-key';

function option(args: string[], name: string, fallback: number): number {
	const at = args.indexOf(`--${name}`);
	const value = at >= 0 ? Number(args[at + 1]) : NaN;
	return Number.isFinite(value) && value > 0 ? value : fallback;
}

const webhook = (path: string) => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: `queue-bench-${path}`,
	parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
});

const plateWorkflow = (fixtures: ReturnType<typeof requireFixtures>) =>
	plateWebhookWorkflow(fixtures, { name: 'Queue bench: plate', path: 'bench-plate', webhookId: 'queue-bench-bench-plate' });

const agentWorkflow: WorkflowSpec = {
	name: 'Queue bench: agent',
	nodes: [
		webhook('bench-agent'),
		{
			name: 'Agent Brain',
			type: 'n8n-nodes-agentic.agentBrain',
			typeVersion: 1,
			position: [220, 0],
			parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: ['currentDateTime'] },
			credentials: { openAiCompatibleAgenticApi: { name: 'Queue bench model' } },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] } },
};

/** One tool call, then an answer naming the task, each after the fixed latency. */
function agentReply(request: FakeRequest): ScriptedReply {
	const messages: Array<{ role: string; content?: unknown }> = request.body.messages ?? [];
	const task = String(messages.find((m) => m.role === 'user')?.content ?? '');
	if (!messages.some((m) => m.role === 'tool')) return { delayMs: MODEL_LATENCY_MS, toolCalls: [{ name: 'current_datetime', arguments: {} }] };
	return { delayMs: MODEL_LATENCY_MS, content: `answered ${task}` };
}

interface Phase {
	execPerSec: number;
	ok: number;
	failed: number;
}

/** Sends `calls` requests, `concurrency` at a time; each carries a unique tag that its answer must echo. */
async function drive(url: string, calls: number, concurrency: number, send: (tag: string) => Promise<Response>, check: (tag: string, body: any) => boolean): Promise<Phase> {
	let next = 0;
	let ok = 0;
	let failed = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < calls) {
				const tag = `call-${next++}`;
				const res = await send(tag).catch(() => undefined);
				const body = res ? await res.json().catch(() => undefined) : undefined;
				if (res?.status === 200 && check(tag, body)) ok++;
				else failed++;
			}
		}),
	);
	void url;
	return { execPerSec: (ok / (performance.now() - started)) * 1000, ok, failed };
}

async function executionCount(queue: QueueDeployment, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await queue.main.client.rest('GET', `/executions?filter=${filter}&limit=1`);
	if (page.estimated) throw new Error('n8n estimated the execution count instead of counting it');
	return Number(page.count);
}

export async function run(args: string[]): Promise<void> {
	const calls = option(args, 'calls', 60);
	const concurrency = option(args, 'concurrency', 20);
	const fixtures = requireFixtures('the plate workflow of the queue benchmark', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO], { ci: false });
	const fake = await startFakeOpenAI({ apiKey: BENCH_KEY, script: Array.from({ length: 100_000 }, () => agentReply) });
	const workflows = [agentWorkflow, ...(fixtures.available ? [plateWorkflow(fixtures)] : [])];
	const queue = await startN8nQueue({
		workers: 1,
		workflows,
		credentials: [{ name: 'Queue bench model', type: 'openAiCompatibleAgenticApi', data: { apiKey: BENCH_KEY, baseUrl: fake.url } }],
		log: (line) => console.error(line),
	});
	const summary = { suite: 'queue', workers: [1, 2], plateExecPerSec: [] as Array<number | null>, agentExecPerSec: [] as number[], lost: 0, duplicated: 0 };
	try {
		const photo = fixtures.available ? readFileSync(fixtures.path(CAR_PHOTO)) : undefined;
		let sent = { agent: 0, plate: 0 };
		for (const workers of [1, 2]) {
			if (workers === 2) await queue.addWorker();
			const post = (path: string, body: string | Buffer, type: string) => fetch(`${queue.main.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': type }, body });
			// One call each first, so model loading and n8n's first-run work are not timed.
			await post('bench-agent', JSON.stringify({ task: 'warm-up' }), 'application/json');
			if (photo) await post('bench-plate', photo, 'image/png');
			sent = { agent: sent.agent + 1, plate: sent.plate + (photo ? 1 : 0) };
			const agent = await drive(queue.main.url, calls, concurrency, (tag) => post('bench-agent', JSON.stringify({ task: tag }), 'application/json'), (tag, body) => body?.answer === `answered ${tag}`);
			sent.agent += calls;
			console.log(JSON.stringify({ suite: 'queue', workflow: 'agent', workers, calls, concurrency, ...agent }));
			summary.agentExecPerSec.push(Number(agent.execPerSec.toFixed(1)));
			summary.lost += agent.failed;
			if (photo) {
				const plate = await drive(queue.main.url, calls, concurrency, () => post('bench-plate', photo, 'image/png'), (_tag, body) => body?.plateText === '5AU5341');
				sent.plate += calls;
				console.log(JSON.stringify({ suite: 'queue', workflow: 'plate', workers, calls, concurrency, ...plate }));
				summary.plateExecPerSec.push(Number(plate.execPerSec.toFixed(1)));
				summary.lost += plate.failed;
			} else {
				summary.plateExecPerSec.push(null);
			}
		}
		// Every call ran exactly once: as many executions as calls sent, per workflow.
		await new Promise((r) => setTimeout(r, 2000));
		for (const [name, count] of [[agentWorkflow.name, sent.agent], ...(photo ? [[workflows[1].name, sent.plate]] : [])] as Array<[string, number]>) {
			const executions = await executionCount(queue, queue.main.workflowIds[name]);
			if (executions > count) summary.duplicated += executions - count;
			if (executions < count) summary.lost = Math.max(summary.lost, count - executions);
		}
		if (!photo) console.error(`plate figures skipped: ${fixtures.message}`);
		console.log(JSON.stringify(summary));
	} finally {
		await queue.stop();
		await fake.close();
	}
}
