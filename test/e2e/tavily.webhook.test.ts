// The Tavily node inside a real n8n: behind a webhook, and as the tool n8n's own AI Agent calls (tavilyTool), against the fake Tavily API.
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const TAVILY_KEY = 'tvly-e2e-key';
const OPENAI_KEY = 'sk-e2e-agent-key';

const webhook = (path: string, responseMode = 'responseNode') => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	webhookId: `e2e-${path}`,
	parameters: { httpMethod: 'POST', path, responseMode, options: {} },
});

const respond = (respondWith: string) => ({
	name: 'Respond to Webhook',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.5,
	position: [600, 0],
	parameters: { respondWith, options: {} },
});

const searchWorkflow: WorkflowSpec = {
	name: 'Tavily search behind a webhook',
	nodes: [
		webhook('tavily-search'),
		{
			name: 'Tavily',
			type: 'n8n-nodes-agentic.tavily',
			typeVersion: 1,
			position: [300, 0],
			credentials: { tavilyAgenticApi: { name: 'Tavily' } },
			parameters: { operation: 'search', query: '={{ $json.body.query }}', options: { maxResults: 3, searchDepth: 'advanced' } },
		},
		respond('allIncomingItems'),
	],
	connections: {
		Webhook: { main: [[{ node: 'Tavily', type: 'main', index: 0 }]] },
		Tavily: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
	},
};

const agentWorkflow: WorkflowSpec = {
	name: "n8n's AI Agent with the Tavily tool",
	nodes: [
		webhook('tavily-agent'),
		{
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position: [300, 0],
			parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} },
		},
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.3,
			position: [200, 200],
			credentials: { openAiApi: { name: 'OpenAI' } },
			parameters: { model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, responsesApiEnabled: false, options: {} },
		},
		{
			name: 'Web Search',
			type: 'n8n-nodes-agentic.tavilyTool',
			typeVersion: 1,
			position: [400, 200],
			credentials: { tavilyAgenticApi: { name: 'Tavily' } },
			parameters: {
				operation: 'search',
				query: "={{ $fromAI('query', 'What to search the web for', 'string') }}",
				options: { maxResults: 2 },
			},
		},
		respond('firstIncomingItem'),
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'AI Agent': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		'Web Search': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	},
};

// Each query in the body becomes an item; a failing one goes down the Tavily node's error output, the rest go on.
const errorOutputWorkflow: WorkflowSpec = {
	name: 'Tavily with an error output',
	nodes: [
		webhook('tavily-error-output', 'lastNode'),
		{
			name: 'Split Queries',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [150, 0],
			parameters: { fieldToSplitOut: 'body.queries', options: {} },
		},
		{
			name: 'Tavily',
			type: 'n8n-nodes-agentic.tavily',
			typeVersion: 1,
			position: [300, 0],
			onError: 'continueErrorOutput',
			credentials: { tavilyAgenticApi: { name: 'Tavily' } },
			parameters: { operation: 'search', query: '={{ $json.q }}', output: 'response', options: { maxResults: 1 } },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Split Queries', type: 'main', index: 0 }]] },
		'Split Queries': { main: [[{ node: 'Tavily', type: 'main', index: 0 }]] },
	},
};

let tavily: FakeTavily;
let openai: FakeOpenAI;
let n8n: N8nInstance;

beforeAll(async () => {
	tavily = await startFakeTavily({ apiKey: TAVILY_KEY });
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	n8n = await startN8n({
		credentials: [
			{ name: 'Tavily', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
			{ name: 'OpenAI', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url } },
		],
		workflows: [searchWorkflow, agentWorkflow, errorOutputWorkflow],
	});
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await tavily?.close();
	await openai?.close();
}, 60_000);

test('a webhook call runs a Tavily search and answers with one item per result from Tavily', async () => {
	const before = tavily.requests.length;
	const res = await n8n.webhook('POST', 'tavily-search', { query: 'n8n community nodes' });

	expect(res.status).toBe(200);
	expect(res.body).toHaveLength(3);
	expect(res.body.map((r: { url: string }) => r.url)).toEqual([1, 2, 3].map((i) => `https://example.com/search/n8n-community-nodes/${i}`));
	expect(res.body[0]).toMatchObject({ title: 'n8n community nodes - result 1', content: 'Snippet 1 about n8n community nodes.', score: 0.95 });

	const sent = tavily.requests.slice(before);
	expect(sent).toHaveLength(1);
	expect(sent[0]).toMatchObject({ method: 'POST', path: '/search' });
	expect(sent[0].headers.authorization).toBe(`Bearer ${TAVILY_KEY}`);
	expect(sent[0].body).toMatchObject({ query: 'n8n community nodes', max_results: 3, search_depth: 'advanced' });

	const execution = await n8n.lastExecution(n8n.workflowIds[searchWorkflow.name]);
	expect(execution.status).toBe('success');
	expect(nodeOutput(execution, 'Tavily')).toEqual(res.body);
}, 60_000);

test("n8n's AI Agent calls the Tavily tool with the model's query and answers from its results", async () => {
	const tavilyBefore = tavily.requests.length;
	let offeredTools: string[] = [];
	let toolResult = '';
	openai.setScript([
		(request: FakeRequest) => {
			offeredTools = (request.body.tools ?? []).map((t: { function: { name: string } }) => t.function.name);
			return { toolCalls: [{ name: offeredTools[0], arguments: { query: 'plate recognition onnx' } }] };
		},
		(request: FakeRequest) => {
			const toolMessage = [...request.body.messages].reverse().find((m: { role: string }) => m.role === 'tool');
			toolResult = typeof toolMessage?.content === 'string' ? toolMessage.content : JSON.stringify(toolMessage?.content ?? '');
			const firstUrl = /https:\/\/example\.com\/search\/[a-z0-9-]+\/1/.exec(toolResult)?.[0] ?? 'no url';
			return { content: `The best source is ${firstUrl}` };
		},
	]);

	const res = await n8n.webhook('POST', 'tavily-agent', { question: 'How do I read licence plates with ONNX?' });

	expect(res.status).toBe(200);
	expect(offeredTools).toEqual(['Web_Search']);
	const searches = tavily.requests.slice(tavilyBefore);
	expect(searches).toHaveLength(1);
	expect(searches[0].body).toMatchObject({ query: 'plate recognition onnx', max_results: 2 });
	expect(toolResult).toContain('Snippet 1 about plate recognition onnx.');
	expect(res.body).toEqual({ output: 'The best source is https://example.com/search/plate-recognition-onnx/1' });

	const chatCalls = openai.requests.filter((r) => r.path.endsWith('/chat/completions'));
	expect(chatCalls.at(-1)?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
	const execution = await n8n.lastExecution(n8n.workflowIds[agentWorkflow.name]);
	expect(execution.status).toBe('success');
	expect(execution.data.resultData.runData['Web Search']).toHaveLength(1);
}, 60_000);

test('a failing item goes down the error output with its reason while the other items are searched', async () => {
	const before = tavily.requests.length;
	const res = await n8n.webhook('POST', 'tavily-error-output', { queries: [{ q: 'first question' }, { q: '   ' }, { q: 'third question' }] });
	expect(res.status).toBe(200);

	const execution = await n8n.lastExecution(n8n.workflowIds[errorOutputWorkflow.name]);
	expect(execution.status).toBe('success');
	const searched = nodeOutput(execution, 'Tavily', { output: 0 });
	expect(searched.map((item) => item.query)).toEqual(['first question', 'third question']);
	const failed = nodeOutput(execution, 'Tavily', { output: 1 });
	expect(failed).toHaveLength(1);
	expect(failed[0].error).toBe('The search query is empty');
	// The empty query was refused before any request.
	expect(tavily.requests.slice(before).map((r) => r.body.query)).toEqual(['first question', 'third question']);
}, 60_000);
