// Agent Brain inside a real n8n: a webhook workflow searching the web through Tavily, and a workflow where n8n's own Code Tool is called.
import { startN8n, nodeOutput, type N8nInstance, type WorkflowSpec } from './harness';
import { startFakeOpenAI, type FakeOpenAI, type Responder } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';

const OPENAI_KEY = 'sk-e2e-openai-key';
const TAVILY_KEY = 'tvly-e2e-tavily-key';

let n8n: N8nInstance;
let openai: FakeOpenAI;
let tavily: FakeTavily;

function webhookNode(path: string) {
	return {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `agent-${path}`,
		parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
	};
}

const respondNode = {
	name: 'Respond to Webhook',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.1,
	position: [600, 0],
	parameters: { respondWith: 'firstIncomingItem', options: {} },
};

function agentNode(parameters: Record<string, unknown>, withTavily: boolean) {
	return {
		name: 'Agent Brain',
		type: 'n8n-nodes-agentic.agentBrain',
		typeVersion: 1,
		position: [300, 0],
		parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', ...parameters },
		credentials: {
			openAiCompatibleAgenticApi: { name: 'Fake OpenAI' },
			...(withTavily ? { tavilyAgenticApi: { name: 'Fake Tavily' } } : {}),
		},
	};
}

const mainChain = {
	Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
	'Agent Brain': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
};

const searchWorkflow: WorkflowSpec = {
	name: 'Agent Brain web search',
	nodes: [webhookNode('agent-search'), agentNode({ builtInTools: ['webSearch'], options: { requireCitations: true } }, true), respondNode],
	connections: mainChain,
};

const codeToolWorkflow: WorkflowSpec = {
	name: 'Agent Brain with Code Tool',
	nodes: [
		webhookNode('agent-code-tool'),
		agentNode({ builtInTools: [] }, false),
		{
			name: 'Reverse Text',
			type: '@n8n/n8n-nodes-langchain.toolCode',
			typeVersion: 1.3,
			position: [300, 200],
			parameters: {
				description: 'Reverses the text it is given',
				language: 'javaScript',
				jsCode: "return query.split('').reverse().join('');",
			},
		},
		respondNode,
	],
	connections: { ...mainChain, 'Reverse Text': { ai_tool: [[{ node: 'Agent Brain', type: 'ai_tool', index: 0 }]] } },
};

/** n8n's own AI Agent with Agent Brain connected as one of its tools: one agent delegating to another. */
const subAgentWorkflow: WorkflowSpec = {
	name: 'n8n AI Agent delegating to Agent Brain',
	nodes: [
		webhookNode('agent-as-tool'),
		{
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3,
			position: [300, 0],
			parameters: { promptType: 'define', text: '={{ $json.body.task }}', options: {} },
		},
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.2,
			position: [200, 200],
			parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
			credentials: { openAiApi: { name: 'Fake OpenAI (n8n)' } },
		},
		{
			name: 'Research Agent',
			type: 'n8n-nodes-agentic.agentBrainTool',
			typeVersion: 1,
			position: [400, 200],
			parameters: {
				task: "={{ $fromAI('task', 'The question for the research agent', 'string') }}",
				model: 'gpt-4o-mini',
				systemMessage: 'You are the research agent.',
				builtInTools: [],
			},
			credentials: { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } },
		},
		respondNode,
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'AI Agent': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		'Research Agent': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	},
};

beforeAll(async () => {
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	tavily = await startFakeTavily({ apiKey: TAVILY_KEY });
	n8n = await startN8n({
		credentials: [
			{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'Fake Tavily', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
			{ name: 'Fake OpenAI (n8n)', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url, header: false } },
		],
		workflows: [searchWorkflow, codeToolWorkflow, subAgentWorkflow],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await openai?.close();
	await tavily?.close();
});

describe('Agent Brain in n8n', () => {
	it('answers a webhook with a web-searched, cited answer (Webhook → Agent Brain with Tavily → Respond to Webhook)', async () => {
		openai.setScript([
			{ toolCalls: [{ name: 'web_search', arguments: { query: 'n8n community nodes' } }] },
			(request) => {
				const found = JSON.parse(request.body.messages.at(-1).content);
				return { content: `n8n supports community nodes. Source: ${found.results[0].url}` };
			},
		]);
		const response = await n8n.webhook('POST', 'agent-search', { task: 'What are n8n community nodes?' });
		expect(response.status).toBe(200);
		expect(response.body.stopReason).toBe('completed');
		expect(response.body.answer).toMatch(/^n8n supports community nodes\. Source: https:\/\//);
		expect(response.body.citations).toHaveLength(1);
		expect(response.body.unverifiedCitations).toEqual([]);
		expect(response.body.toolCalls[0]).toMatchObject({ name: 'web_search', arguments: { query: 'n8n community nodes' } });
		expect(tavily.requests.filter((r) => r.path === '/search').map((r) => r.body.query)).toEqual(['n8n community nodes']);
		const text = JSON.stringify(response.body);
		expect(text).not.toContain(OPENAI_KEY);
		expect(text).not.toContain(TAVILY_KEY);
	});

	it('serves as a tool of n8n\'s own AI Agent, which delegates a question to it', async () => {
		const delegate: Responder = (request) => {
			const messages: Array<{ role: string; content: string }> = request.body.messages;
			if (messages[0]?.content === 'You are the research agent.') return { content: `Research says: 4 (asked "${messages.at(-1)?.content}")` };
			const toolResult = messages.find((m) => m.role === 'tool');
			if (toolResult) return { content: `Final: ${toolResult.content}` };
			return { toolCalls: [{ name: request.body.tools[0].function.name, arguments: { task: 'What is 2+2?' } }] };
		};
		openai.setScript([delegate, delegate, delegate]);
		const response = await n8n.webhook('POST', 'agent-as-tool', { task: 'Ask the research agent what 2+2 is.' });
		expect(response.status).toBe(200);
		expect(response.body.output).toMatch(/^Final: /);
		const delegated = JSON.parse(response.body.output.slice('Final: '.length));
		expect(delegated[0]).toMatchObject({ answer: 'Research says: 4 (asked "What is 2+2?")', stopReason: 'completed' });
		// The calling agent reads the result as tokens: the trace is left out there.
		expect(delegated[0].trace).toBeUndefined();
		const inner = openai.requests.find((r) => r.body?.messages?.[0]?.content === 'You are the research agent.');
		expect(inner?.body.messages.at(-1)).toEqual({ role: 'user', content: 'What is 2+2?' });
	});

	it('tests the OpenAI-Compatible API credential by listing models, and reports a wrong key', async () => {
		const data = { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{"X-Title":"n8n"}' };
		const test = (apiKey: string) =>
			n8n.rest('POST', '/credentials/test', {
				credentials: { id: n8n.credentialIds['Fake OpenAI'], name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { ...data, apiKey } },
			});
		expect(await test(OPENAI_KEY)).toMatchObject({ status: 'OK' });
		const modelsCall = openai.requests.filter((r) => r.path === '/v1/models').at(-1);
		expect(modelsCall?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		expect(modelsCall?.headers['x-title']).toBe('n8n');
		expect(await test('sk-wrong')).toMatchObject({ status: 'Error' });
	});

	it('calls n8n\'s Code Tool connected to its Tool input and uses the result, Hebrew intact', async () => {
		openai.setScript([
			(request) => ({ toolCalls: [{ name: request.body.tools[0].function.name, arguments: { input: 'שלום abc' } }] }),
			(request) => ({ content: `Reversed: ${request.body.messages.at(-1).content}` }),
		]);
		const response = await n8n.webhook('POST', 'agent-code-tool', { task: 'הפוך את הטקסט "שלום abc"' });
		expect(response.status).toBe(200);
		expect(response.body.answer).toBe('Reversed: cba םולש');
		expect(response.body.toolCalls[0]).toMatchObject({ name: 'Reverse_Text', arguments: { input: 'שלום abc' } });
		expect(openai.requests.at(-2)?.body.messages.at(-1).content).toBe('הפוך את הטקסט "שלום abc"');
		const execution = await n8n.lastExecution(n8n.workflowIds[codeToolWorkflow.name]);
		expect(execution.data.resultData.runData['Reverse Text']).toBeDefined();
		expect(nodeOutput(execution, 'Agent Brain')[0].answer).toBe('Reversed: cba םולש');
	});
});
