// Items in Parallel in real n8n: a webhook's tasks become items (Code node), Agent Brain works on several at once, and the
// answers come back in input order, each paired with its item, a failing item kept in its place under Continue On Fail.
import { startFakeOpenAI, type FakeOpenAI, type Responder } from '../fakes/openai';
import { startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const OPENAI_KEY = 'sk-e2e-parallel-key';
const LATENCY_MS = 300;

function parallelWorkflow(path: string, itemsInParallel: number): WorkflowSpec {
	return {
		name: `Agent Brain, ${itemsInParallel} items at once`,
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `agent-${path}`, parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} } },
			{
				name: 'Tasks',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: 'return $input.first().json.body.tasks.map((task) => ({ json: { task } }));' },
			},
			{
				name: 'Agent Brain',
				type: 'n8n-nodes-agentic.agentBrain',
				typeVersion: 1,
				position: [400, 0],
				onError: 'continueRegularOutput',
				parameters: { task: '={{ $json.task }}', model: 'gpt-4o-mini', builtInTools: [], systemMessage: '', options: { itemsInParallel } },
				credentials: { openAiCompatibleAgenticApi: { name: 'OpenAI-compatible' } },
			},
			{ name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 0], parameters: { respondWith: 'allIncomingItems', options: {} } },
		],
		connections: {
			Webhook: { main: [[{ node: 'Tasks', type: 'main', index: 0 }]] },
			Tasks: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
			'Agent Brain': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		},
	};
}

const parallel = parallelWorkflow('agent-parallel', 3);
const oneByOne = parallelWorkflow('agent-one-by-one', 1);

let n8n: N8nInstance;
let openai: FakeOpenAI;

beforeAll(async () => {
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	n8n = await startN8n({
		credentials: [{ name: 'OpenAI-compatible', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } }],
		workflows: [parallel, oneByOne],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await openai?.close();
});

/** Answers each task after LATENCY_MS, the first task last of all, counting calls in flight. */
function slowModel() {
	const state = { inFlight: 0, maxInFlight: 0 };
	const responder: Responder = async (request) => {
		const task: string = request.body.messages.at(-1).content;
		state.inFlight++;
		state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
		await new Promise((resolve) => setTimeout(resolve, task === 'task 0' ? LATENCY_MS * 2 : LATENCY_MS));
		state.inFlight--;
		return { content: `answer to ${task}` };
	};
	openai.setScript(Array.from({ length: 20 }, () => responder));
	return state;
}

const tasks = ['task 0', 'task 1', '', 'task 3', 'task 4', 'task 5'];

describe('Agent Brain items in parallel in n8n', () => {
	it('answers three items at once, in input order, pairing each answer with its item and keeping the failing one in place', async () => {
		const state = slowModel();
		const started = performance.now();
		const response = await n8n.webhook('POST', 'agent-parallel', { tasks });
		const ms = performance.now() - started;
		expect(response.status).toBe(200);
		expect(response.body.map((item: { answer?: string; error?: string }) => item.answer ?? item.error)).toEqual([
			'answer to task 0',
			'answer to task 1',
			'The task is empty',
			'answer to task 3',
			'answer to task 4',
			'answer to task 5',
		]);
		expect(state.maxInFlight).toBe(3);
		// Five model calls of 300 ms (one 600 ms) three at a time: well under the 1.8 s they take one by one.
		expect(ms).toBeLessThan(1500);
		const execution = await n8n.lastExecution(n8n.workflowIds[parallel.name]);
		const items = execution.data.resultData.runData['Agent Brain'][0].data!.main![0]!;
		expect(items.map((item) => item.pairedItem)).toEqual(tasks.map((_, item) => ({ item })));
	});

	it('with Items in Parallel 1, works on one item after another', async () => {
		const state = slowModel();
		const response = await n8n.webhook('POST', 'agent-one-by-one', { tasks: ['task 0', 'task 1', 'task 2'] });
		expect(response.body.map((item: { answer: string }) => item.answer)).toEqual(['answer to task 0', 'answer to task 1', 'answer to task 2']);
		expect(state.maxInFlight).toBe(1);
	});
});
