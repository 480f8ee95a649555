// Tavily Research in a real n8n 2.41, against the fake Tavily API: the node behind a webhook returns the report with its
// sources, a failed task becomes an error item with Tavily's reason, stopping the execution stops the wait, and Agent
// Brain's Deep Research (Tavily) tool hands the report to the model.
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const TAVILY_KEY = 'tvly-e2e-research-key';
const OPENAI_KEY = 'sk-e2e-research-key';

const webhook = (path: string, responseMode = 'lastNode') => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: `e2e-${path}`,
	parameters: { httpMethod: 'POST', path, responseMode, responseData: 'allEntries', options: {} },
});
const tavilyCredential = { tavilyAgenticApi: { name: 'Tavily' } };

const researchWorkflow: WorkflowSpec = {
	name: 'Tavily research behind a webhook',
	nodes: [
		webhook('tavily-research'),
		{
			name: 'Research',
			type: 'n8n-nodes-agentic.tavily',
			typeVersion: 1,
			position: [300, 0],
			onError: 'continueRegularOutput',
			credentials: tavilyCredential,
			parameters: { operation: 'research', input: '={{ $json.body.input }}', options: { model: 'mini', citationFormat: 'chicago' } },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Research', type: 'main', index: 0 }]] } },
};

const longResearchWorkflow: WorkflowSpec = {
	...researchWorkflow,
	name: 'Tavily research that runs long',
	nodes: [webhook('tavily-research-long', 'onReceived'), { ...researchWorkflow.nodes[1], onError: undefined }],
};

const agentWorkflow: WorkflowSpec = {
	name: 'Agent Brain with Deep Research',
	nodes: [
		webhook('agent-research'),
		{
			name: 'Agent Brain',
			type: 'n8n-nodes-agentic.agentBrain',
			typeVersion: 1,
			position: [300, 0],
			parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: ['deepResearch'] },
			credentials: { openAiCompatibleAgenticApi: { name: 'OpenAI' }, ...tavilyCredential },
		},
	],
	connections: { Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] } },
};

const n8nAgentWorkflow: WorkflowSpec = {
	name: "n8n's AI Agent with Tavily Research as a tool",
	nodes: [
		{ ...webhook('n8n-agent-research'), parameters: { httpMethod: 'POST', path: 'n8n-agent-research', responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} } },
		{ name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3.1, position: [300, 0], parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} } },
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.3,
			position: [200, 200],
			credentials: { openAiApi: { name: 'OpenAI (n8n)' } },
			parameters: { model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, responsesApiEnabled: false, options: {} },
		},
		{
			name: 'Research Tool',
			type: 'n8n-nodes-agentic.tavilyTool',
			typeVersion: 1,
			position: [400, 200],
			credentials: tavilyCredential,
			parameters: { operation: 'research', input: "={{ $fromAI('input', 'The research question', 'string') }}", options: { model: 'mini' } },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		'Research Tool': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	},
};

let tavily: FakeTavily;
let openai: FakeOpenAI;
let n8n: N8nInstance;

beforeAll(async () => {
	tavily = await startFakeTavily({
		apiKey: TAVILY_KEY,
		// A task that takes long is still running when the test stops its execution.
		researchPolls: (input) => (input.includes('takes long') ? 1000 : 1),
		researchFailure: (input) => (input.includes('impossible') ? 'The research found no usable sources' : undefined),
	});
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	n8n = await startN8n({
		credentials: [
			{ name: 'Tavily', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
			{ name: 'OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'OpenAI (n8n)', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url, header: false } },
		],
		workflows: [researchWorkflow, longResearchWorkflow, agentWorkflow, n8nAgentWorkflow],
	});
}, 600_000);
afterAll(async () => {
	await n8n?.stop();
	await tavily?.close();
	await openai?.close();
});

it('returns the report with its sources, in the citation format asked for', async () => {
	const response = await n8n.webhook('POST', 'tavily-research', { input: 'city cycling policies' });
	expect(response.status).toBe(200);
	expect(response.body).toEqual([
		expect.objectContaining({ status: 'completed', content: expect.stringContaining('(CHICAGO: Source 1)'), sources: expect.arrayContaining([expect.objectContaining({ url: 'https://example.com/research/city-cycling-policies/1' })]) }),
	]);
	const created = tavily.requests.find((r) => r.method === 'POST' && r.path === '/research')!;
	expect(created.body).toEqual({ input: 'city cycling policies', model: 'mini', citation_format: 'chicago' });
	expect(created.headers.authorization).toBe(`Bearer ${TAVILY_KEY}`);
}, 60_000);

it("turns a failed task into an error item with Tavily's reason", async () => {
	const response = await n8n.webhook('POST', 'tavily-research', { input: 'an impossible question' });
	expect(response.body).toEqual([expect.objectContaining({ error: expect.stringMatching(/^Tavily's research task \S+ failed: The research found no usable sources$/) })]);
	expect(JSON.stringify(response.body)).not.toContain(TAVILY_KEY);
}, 60_000);

it('stops waiting for the report when the execution is stopped', async () => {
	const polls = () => tavily.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/research/')).length;
	await n8n.webhook('POST', 'tavily-research-long', { input: 'a question that takes long' });
	const workflowId = n8n.workflowIds['Tavily research that runs long'];
	let running: { id: string } | undefined;
	for (let i = 0; i < 50 && !running; i++) {
		running = (await n8n.executions(workflowId)).find((e) => e.status === 'running');
		if (!running) await new Promise((resolve) => setTimeout(resolve, 200));
	}
	expect(running).toBeDefined();
	const stopped = Date.now();
	await n8n.rest('POST', `/executions/${running!.id}/stop`);
	const finished = await n8n.lastExecution(workflowId, { timeoutMs: 20_000 });
	expect(finished.status).toMatch(/^(canceled|cancelled|stopped)$/);
	expect(Date.now() - stopped).toBeLessThan(15_000);
	const pollsAtStop = polls();
	await new Promise((resolve) => setTimeout(resolve, 6_000));
	expect(polls()).toBe(pollsAtStop);
}, 120_000);

it("gives Agent Brain's model a Deep Research tool whose answer is the report and its sources", async () => {
	openai.setScript([
		(request) => {
			const tool = request.body.tools?.find((t: { function: { name: string } }) => t.function.name === 'deep_research');
			if (!tool) return { content: 'no deep_research tool offered' };
			return { toolCalls: [{ name: 'deep_research', arguments: { input: 'compare tram and bus networks', model: 'mini' } }] };
		},
		(request) => ({ content: `Report: ${request.body.messages.find((m: { role: string }) => m.role === 'tool')?.content}` }),
	]);
	const response = await n8n.webhook('POST', 'agent-research', { task: 'Which is better for a mid-size city, trams or buses?' });
	expect(response.body[0].answer).toMatch(/^Report: .*# compare tram and bus networks.*example\.com\/research\/compare-tram-and-bus-networks\/1/s);
}, 120_000);

it("serves n8n's AI Agent as a research tool (tavilyTool): the model's question becomes a research task", async () => {
	openai.setScript([
		(request) => ({ toolCalls: [{ name: request.body.tools[0].function.name, arguments: { input: 'history of the bicycle' } }] }),
		(request) => ({ content: `Found: ${request.body.messages.find((m: { role: string }) => m.role === 'tool')?.content}` }),
	]);
	const response = await n8n.webhook('POST', 'n8n-agent-research', { question: 'Tell me the history of the bicycle' });
	expect(response.body.output).toMatch(/^Found: .*# history of the bicycle.*example\.com\/research\/history-of-the-bicycle\/1/s);
	expect(tavily.requests.filter((r) => r.method === 'POST' && r.path === '/research').at(-1)!.body).toEqual({ input: 'history of the bicycle', model: 'mini' });
}, 120_000);
