// Agent Brain's connected tools run by n8n's own engine in a real n8n: each call is a run of its tool node recorded as n8n's AI Agent records it, a tool behind
// Gmail's "send and wait" approval pauses the execution until the approver answers, and the guards hold across the pauses. OpenAI is a local fake; Gmail is
// answered by the HTTPS capture (its published REST API).
import { startHttpsCapture, type HttpsCapture } from '../fakes/httpsCapture';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../fakes/openai';
import { nodeOutput, startN8n, type Execution, type N8nInstance, type WorkflowSpec } from './harness';
import { N8N1_RUNTIME } from './runtime';
import { approvalLinks, gmailCredential, gmailSends as sentThroughGmail, mimeParts } from './gmail';

const OPENAI_KEY = 'sk-e2e-engine-tools-key';
const GMAIL_TOKEN = 'ya29.e2e-engine-tools-token';
const APPROVER = 'guard@example.com';

let capture: HttpsCapture;
let openai: FakeOpenAI;
let n8n: N8nInstance;

const webhook = (path: string, responseMode: 'responseNode' | 'onReceived') => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: `engine-${path}`,
	parameters: { httpMethod: 'POST', path, responseMode, options: {} },
});

const respond = { name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [700, 0], parameters: { respondWith: 'firstIncomingItem', options: {} } };

const agentBrain = (options: Record<string, unknown> = {}) => ({
	name: 'Agent Brain',
	type: 'n8n-nodes-agentic.agentBrain',
	typeVersion: 1,
	position: [300, 0],
	parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: [], options },
	credentials: { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } },
});

const codeTool = (name: string, jsCode: string, position = [300, 240]) => ({
	name,
	type: '@n8n/n8n-nodes-langchain.toolCode',
	typeVersion: 1.3,
	position,
	parameters: { description: `${name}: give it the text`, language: 'javaScript', jsCode },
});

const toolOf = (tool: string, agent: string) => ({ [tool]: { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] } });

/** Webhook → Agent Brain with n8n's Code Tool → Respond to Webhook. */
const codeToolFlow: WorkflowSpec = {
	name: 'Agent Brain: engine-run Code Tool',
	nodes: [webhook('engine-code', 'responseNode'), agentBrain({ maxIterations: 3 }), codeTool('Reverse Text', "return query.split('').reverse().join('');"), respond],
	connections: {
		Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
		'Agent Brain': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		...toolOf('Reverse Text', 'Agent Brain'),
	},
};

/** The same with n8n's own AI Agent (V3), whose tool runs are the yardstick. */
const aiAgentFlow: WorkflowSpec = {
	name: "n8n's AI Agent: engine-run Code Tool",
	nodes: [
		webhook('engine-code-ai-agent', 'responseNode'),
		{ name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3, position: [300, 0], parameters: { promptType: 'define', text: '={{ $json.body.task }}', options: {} } },
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.2,
			position: [200, 240],
			parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
			credentials: { openAiApi: { name: 'Fake OpenAI (n8n)' } },
		},
		codeTool('Reverse Text', "return query.split('').reverse().join('');", [400, 240]),
		respond,
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'AI Agent': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		...toolOf('Reverse Text', 'AI Agent'),
	},
};

/** Webhook (answers at once) → Agent Brain, whose "Send Alert" tool is behind Gmail's send-and-wait approval ("Ask the Guard"). */
function approvalFlow(name: string, path: string, options: Record<string, unknown> = {}, approvalOptions: Record<string, unknown> = {}): WorkflowSpec {
	return {
		name,
		nodes: [
			webhook(path, 'onReceived'),
			agentBrain(options),
			{
				name: 'Ask the Guard',
				type: 'n8n-nodes-base.gmailHitlTool',
				typeVersion: 2.1,
				position: [300, 240],
				webhookId: `approval-${path}`,
				parameters: {
					sendTo: APPROVER,
					subject: 'Agent Brain wants to send an alert',
					message: '=The agent wants to run {{ $tool.name }} with {{ JSON.stringify($tool.parameters) }}',
					approvalOptions: { values: { approvalType: 'double' } },
					options: { appendAttribution: false, ...approvalOptions },
				},
				credentials: { gmailOAuth2: { name: 'Gmail account' } },
			},
			codeTool('Send Alert', "return 'alert sent for ' + query;", [300, 460]),
		],
		connections: {
			Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
			...toolOf('Ask the Guard', 'Agent Brain'),
			'Send Alert': { ai_tool: [[{ node: 'Ask the Guard', type: 'ai_tool', index: 0 }]] },
		},
	};
}

const approval = approvalFlow('Agent Brain: approval-gated tool', 'engine-approval');
const approvalTimed = approvalFlow('Agent Brain: approval wait counts against the timeout', 'engine-approval-timed', { timeoutSeconds: 2, timeoutCountsApprovalWait: true });
const approvalUntimed = approvalFlow('Agent Brain: approval wait does not count', 'engine-approval-untimed', { timeoutSeconds: 2 });
/** The approval node waits 2 s at most (n8n's own Limit Wait Time); the session keeps the conversation. */
const approvalLimited = approvalFlow(
	'Agent Brain: approval that never comes',
	'engine-approval-limited',
	{},
	{ limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'seconds' } } },
);
for (const node of approvalLimited.nodes) if (node.name === 'Agent Brain') (node.parameters as Record<string, unknown>).sessionId = 'gate-1';

beforeAll(async () => {
	capture = await startHttpsCapture();
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	n8n = await startN8n({
		env: capture.proxyEnv(),
		credentials: [
			{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'Fake OpenAI (n8n)', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url, header: false } },
			gmailCredential(GMAIL_TOKEN),
		],
		workflows: [codeToolFlow, aiAgentFlow, approval, approvalTimed, approvalUntimed, approvalLimited],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await capture?.close();
	await openai?.close();
});

const chatCalls = () => openai.requests.filter((r) => r.path.endsWith('/chat/completions'));
const lastToolMessage = (request: FakeRequest) => String(request.body.messages.filter((m: { role: string }) => m.role === 'tool').at(-1)?.content);
const gmailSends = () => sentThroughGmail(capture);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await probe();
		if (found !== undefined) return found;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${n8n.logTail(30)}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** Starts the approval workflow; returns its waiting execution and the approval email's links. */
async function askForApproval(flow: WorkflowSpec, path: string, task: string) {
	const workflowId = n8n.workflowIds[flow.name];
	const before = Math.max(0, ...(await n8n.executions(workflowId)).map((e) => Number(e.id)));
	const sendsBefore = gmailSends().length;
	const res = await n8n.webhook('POST', path, { task });
	expect(res.status).toBe(200);
	const waiting = await until('the execution to wait for approval', async () => (await n8n.executions(workflowId)).find((e) => Number(e.id) > before && e.status === 'waiting'));
	const sends = gmailSends().slice(sendsBefore);
	expect(sends).toHaveLength(1);
	const { html } = mimeParts((sends[0].body as { raw: string }).raw);
	return { executionId: waiting.id, ...approvalLinks(html, n8n.url), html };
}

async function finished(executionId: string): Promise<Execution> {
	return until(`execution ${executionId} to finish`, async () => {
		const execution = await n8n.getExecution(executionId);
		return ['waiting', 'running', 'new'].includes(execution.status) ? undefined : execution;
	});
}

/** Agent Brain's tool run beside n8n's AI Agent's, same Code Tool, same scripted model. */
async function toolRunsAsTheAiAgents(instance: N8nInstance): Promise<void> {
	const script = () =>
		openai.setScript([
			(request) => ({ toolCalls: [{ id: 'call_rev', name: request.body.tools[0].function.name, arguments: { input: 'שלום abc' } }] }),
			(request) => ({ content: `Reversed: ${lastToolMessage(request)}` }),
		]);
	script();
	const ours = await instance.webhook('POST', 'engine-code', { task: 'Reverse "שלום abc"' });
	expect(ours.status).toBe(200);
	expect(ours.body.answer).toBe('Reversed: cba םולש');
	const mine = await instance.lastExecution(instance.workflowIds[codeToolFlow.name]);
	script();
	const theirs = await instance.webhook('POST', 'engine-code-ai-agent', { task: 'Reverse "שלום abc"' });
	expect(theirs.status).toBe(200);
	const yardstick = await instance.lastExecution(instance.workflowIds[aiAgentFlow.name]);

	const toolRun = mine.data.resultData.runData['Reverse Text'];
	const theirRun = yardstick.data.resultData.runData['Reverse Text'];
	expect(toolRun).toHaveLength(1);
	expect(theirRun).toHaveLength(1);
	// The same record: the model's arguments as the tool's input, its answer as the output, Agent Brain as the parent.
	expect(Object.keys(toolRun[0]).sort()).toEqual(Object.keys(theirRun[0]).sort());
	expect(toolRun[0].inputOverride?.ai_tool?.[0]?.[0]?.json).toMatchObject({ input: 'שלום abc' });
	expect(toolRun[0].data?.ai_tool?.[0]?.[0]?.json).toEqual({ response: 'cba םולש' });
	expect(theirRun[0].data?.ai_tool?.[0]?.[0]?.json).toEqual({ response: 'cba םולש' });
	expect(toolRun[0].source?.[0]?.previousNode).toBe('Agent Brain');
	expect(theirRun[0].source?.[0]?.previousNode).toBe('AI Agent');
	expect(toolRun[0].executionStatus).toBe('success');
	// The model was told what the tool answered, as when the tool ran in-process.
	expect(nodeOutput(mine, 'Agent Brain')[0]).toMatchObject({ stopReason: 'completed', toolCalls: [{ name: 'Reverse_Text', resultSummary: 'cba םולש' }] });
}

const click = (url: string) => fetch(url, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36' } });

describe('connected tools run by n8n\'s engine', () => {
	it('each call is a run of the tool node, recorded as n8n\'s AI Agent records its tool runs', () => toolRunsAsTheAiAgents(n8n));

	it('the repeat guard and max iterations hold for a model looping through engine-run tools', async () => {
		const same = (request: FakeRequest) => ({ toolCalls: [{ name: request.body.tools?.[0]?.function.name ?? 'Reverse_Text', arguments: { input: 'loop' } }] });
		openai.setScript([same, same, same, (request) => ({ content: request.body.tools ? 'tools offered after the limit' : 'Best answer after the limit.' })]);
		const workflowId = n8n.workflowIds[codeToolFlow.name];
		const before = String(Math.max(0, ...(await n8n.executions(workflowId)).map((e) => Number(e.id))));
		const res = await n8n.webhook('POST', 'engine-code', { task: 'Loop forever' });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ stopReason: 'max_iterations', iterations: 3, answer: 'Best answer after the limit.' });
		expect(res.body.toolCalls.map((call: { repeated?: boolean }) => Boolean(call.repeated))).toEqual([false, false, true]);
		const execution = await n8n.lastExecution(workflowId, { after: before });
		// The repeated call was not run: the tool node ran twice.
		expect(execution.data.resultData.runData['Reverse Text']).toHaveLength(2);
	});
});

describe('a tool behind Gmail\'s send-and-wait approval', () => {
	const scriptAlert = () =>
		openai.setScript([
			(request) => ({ toolCalls: [{ name: request.body.tools[0].function.name, arguments: { input: 'AB-123' } }] }),
			(request) => {
				const told = lastToolMessage(request);
				return { content: told.startsWith('alert sent') ? `Done: ${told}` : `Not sent; I will ask the guard by phone instead. (${told})` };
			},
		]);

	it('pauses the execution (waiting) until the approver approves, then runs the tool and finishes with the answer', async () => {
		scriptAlert();
		const callsBefore = chatCalls().length;
		const { executionId, approve, html } = await askForApproval(approval, 'engine-approval', 'Alert the guard about AB-123');
		// The model saw the tool with its own parameters, not the approval layer's.
		const offered = chatCalls()[callsBefore].body.tools[0].function;
		expect(offered.name).toBe('Send_Alert');
		expect(Object.keys(offered.parameters.properties)).toEqual(['input']);
		expect(html).toContain('The agent wants to run Send_Alert with {&quot;input&quot;:&quot;AB-123&quot;}'.replace(/&quot;/g, '"'));
		expect(chatCalls().length - callsBefore).toBe(1);
		const waiting = await n8n.getExecution(executionId);
		expect(Object.keys(waiting.data.resultData.runData)).not.toContain('Send Alert');

		expect((await click(approve)).status).toBeLessThan(400);
		const execution = await finished(executionId);
		expect(execution.status).toBe('success');
		const [out] = nodeOutput(execution, 'Agent Brain');
		expect(out).toMatchObject({ answer: 'Done: alert sent for AB-123', stopReason: 'completed', iterations: 2 });
		expect(out.toolCalls).toEqual([expect.objectContaining({ name: 'Send_Alert', arguments: { input: 'AB-123' }, approval: 'approved', resultSummary: 'alert sent for AB-123' })]);
		expect(execution.data.resultData.runData['Send Alert']).toHaveLength(1);
		expect(execution.data.resultData.runData['Ask the Guard']).toBeDefined();
		expect(chatCalls().length - callsBefore).toBe(2);
	});

	it('on Decline the tool never runs and the model is told, so it changes course', async () => {
		scriptAlert();
		const { executionId, decline } = await askForApproval(approval, 'engine-approval', 'Alert the guard about AB-123');
		expect((await click(decline)).status).toBeLessThan(400);
		const execution = await finished(executionId);
		expect(execution.status).toBe('success');
		const [out] = nodeOutput(execution, 'Agent Brain');
		expect(out.answer).toMatch(/^Not sent; I will ask the guard by phone instead\. \(The reviewer declined this call of Send_Alert, so it was not run\./);
		expect(out.toolCalls[0]).toMatchObject({ name: 'Send_Alert', approval: 'declined' });
		expect(Object.keys(execution.data.resultData.runData)).not.toContain('Send Alert');
	});

	it('an approval that never comes: n8n\'s wait limit resumes the run, the model is told the tool did not run, and the session keeps one whole turn', async () => {
		scriptAlert();
		const { executionId } = await askForApproval(approvalLimited, 'engine-approval-limited', 'Alert the guard about AB-123');
		// n8n's wait tracker resumes executions whose wait has run out (it looks every minute).
		const execution = await until('the wait limit to resume the execution', async () => {
			const current = await n8n.getExecution(executionId);
			return ['waiting', 'running', 'new'].includes(current.status) ? undefined : current;
		}, 150_000);
		expect(execution.status).toBe('success');
		const [out] = nodeOutput(execution, 'Agent Brain');
		expect(out.toolCalls[0]).toMatchObject({ name: 'Send_Alert', approval: 'no_answer' });
		expect(out.answer).toMatch(/^Not sent; I will ask the guard by phone instead\. \(No one approved this call of Send_Alert before the wait ended/);
		expect(Object.keys(execution.data.resultData.runData)).not.toContain('Send Alert');
		// The next turn of the session sees the whole of this one: the task, the call and its outcome, the answer.
		openai.setScript([(request) => ({ content: `seen ${request.body.messages.length} messages` })]);
		const callsBefore = chatCalls().length;
		await n8n.webhook('POST', 'engine-approval-limited', { task: 'What happened?' });
		await until('the next turn', async () => (chatCalls().length > callsBefore ? true : undefined));
		const roles = chatCalls().at(-1)!.body.messages.map((m: { role: string }) => m.role).filter((role: string) => role !== 'system');
		expect(roles).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
	}, 200_000);

	it('the time limit stops the run after a slow approval only when the user counts the wait', async () => {
		scriptAlert();
		const timed = await askForApproval(approvalTimed, 'engine-approval-timed', 'Alert the guard about AB-123');
		scriptAlert();
		const untimed = await askForApproval(approvalUntimed, 'engine-approval-untimed', 'Alert the guard about AB-123');
		await new Promise((resolve) => setTimeout(resolve, 2500)); // longer than the 2 s limit
		const callsBefore = chatCalls().length;
		await click(timed.approve);
		const stopped = nodeOutput(await finished(timed.executionId), 'Agent Brain')[0];
		expect(stopped).toMatchObject({ stopReason: 'timeout', toolCalls: [{ approval: 'approved', resultSummary: 'alert sent for AB-123' }] });
		expect(chatCalls().length).toBe(callsBefore);
		await click(untimed.approve);
		const done = nodeOutput(await finished(untimed.executionId), 'Agent Brain')[0];
		expect(done).toMatchObject({ stopReason: 'completed', answer: 'Done: alert sent for AB-123' });
	});
});

describe(`connected tools run by the engine of n8n ${N8N1_RUNTIME.n8nVersion}`, () => {
	let n8n1: N8nInstance;

	beforeAll(async () => {
		n8n1 = await startN8n({
			runtime: N8N1_RUNTIME,
			credentials: [
				{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
				{ name: 'Fake OpenAI (n8n)', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url, header: false } },
			],
			workflows: [codeToolFlow, aiAgentFlow],
		});
	}, 600_000);

	afterAll(async () => {
		await n8n1?.stop();
	});

	it('each call is a run of the tool node, recorded as n8n\'s AI Agent records its tool runs', () => toolRunsAsTheAiAgents(n8n1));
});
