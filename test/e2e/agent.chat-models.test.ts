// Agent Brain with n8n's own chat model sub-nodes on its Chat Model input (OpenAI, Anthropic, Ollama), in real n8n 2.41.1 and 1.123,
// each against a fake of its service's published API, calling n8n's Code Tool, with the guards and the errors that name what to fix.
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic';
import { startFakeOllama, type FakeOllama } from '../fakes/ollamaChat';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { nodeError, nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { DEFAULT_RUNTIME, N8N1_RUNTIME, type RuntimeSpec } from './runtime';

const OPENAI_KEY = 'sk-e2e-chat-model-key';
const ANTHROPIC_KEY = 'sk-ant-e2e-key';

const MODEL_NODES: Record<string, Record<string, unknown>> = {
	openai: {
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.3,
		parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list' }, options: {} },
		credentials: { openAiApi: { name: 'OpenAI' } },
	},
	anthropic: {
		name: 'Anthropic Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatAnthropic',
		typeVersion: 1.3,
		parameters: { model: { __rl: true, value: 'claude-sonnet-4-5-20250929', mode: 'list' }, options: {} },
		credentials: { anthropicApi: { name: 'Anthropic' } },
	},
	ollama: {
		name: 'Ollama Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOllama',
		typeVersion: 1,
		parameters: { model: 'llama3.1:8b', options: {} },
		credentials: { ollamaApi: { name: 'Ollama' } },
	},
	/** n8n's text-completion model: an ai_languageModel sub-node that is not a chat model. */
	textCompletion: {
		name: 'OpenAI Model',
		type: '@n8n/n8n-nodes-langchain.lmOpenAi',
		typeVersion: 1,
		parameters: { model: { __rl: true, value: 'gpt-3.5-turbo-instruct', mode: 'list' }, options: {} },
		credentials: { openAiApi: { name: 'OpenAI' } },
	},
};

const reverseTool = {
	name: 'Reverse Text',
	type: '@n8n/n8n-nodes-langchain.toolCode',
	typeVersion: 1.3,
	position: [500, 200],
	parameters: { description: 'Reverses the text it is given', language: 'javaScript', jsCode: "return query.split('').reverse().join('');" },
};

/** Webhook → Agent Brain (no credential of its own) with a chat model sub-node and n8n's Code Tool → Respond to Webhook; `path` names it. */
function workflow(path: string, kind: string, options: Record<string, unknown> = {}, modelOverride: Record<string, unknown> = {}): WorkflowSpec {
	const model: Record<string, unknown> = { ...MODEL_NODES[kind], ...modelOverride, position: [300, 200] };
	const modelName = model.name as string;
	return {
		name: `Agent Brain, ${path}`,
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `agent-${path}`,
				parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
			},
			{
				name: 'Agent Brain',
				type: 'n8n-nodes-agentic.agentBrain',
				typeVersion: 1,
				position: [400, 0],
				parameters: { task: '={{ $json.body.task }}', builtInTools: [], systemMessage: 'You reverse texts.', options },
			},
			model,
			reverseTool,
			{ name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [700, 0], parameters: { respondWith: 'firstIncomingItem', options: {} } },
		] as WorkflowSpec['nodes'],
		connections: {
			Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
			'Agent Brain': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
			[modelName]: { ai_languageModel: [[{ node: 'Agent Brain', type: 'ai_languageModel', index: 0 }]] },
			'Reverse Text': { ai_tool: [[{ node: 'Agent Brain', type: 'ai_tool', index: 0 }]] },
		},
	};
}

const WORKFLOWS = {
	openai: workflow('chat-openai', 'openai'),
	anthropic: workflow('chat-anthropic', 'anthropic'),
	ollama: workflow('chat-ollama', 'ollama'),
	ollamaLoop: workflow('chat-ollama-loop', 'ollama', { maxIterations: 3 }),
	anthropicLoop: workflow('chat-anthropic-loop', 'anthropic', { maxIterations: 2 }),
	wrongKey: workflow('chat-anthropic-wrong-key', 'anthropic', {}, { credentials: { anthropicApi: { name: 'Anthropic (wrong key)' } } }),
	textCompletion: workflow('chat-text-completion', 'textCompletion'),
};

const RUNTIMES: Array<[string, RuntimeSpec]> = [
	[`n8n ${DEFAULT_RUNTIME.n8nVersion}`, DEFAULT_RUNTIME],
	[`n8n ${N8N1_RUNTIME.n8nVersion}`, N8N1_RUNTIME],
];

describe.each(RUNTIMES)('Agent Brain with a connected chat model in %s', (_label, runtime) => {
	let n8n: N8nInstance;
	let openai: FakeOpenAI;
	let anthropic: FakeAnthropic;
	let ollama: FakeOllama;

	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
		anthropic = await startFakeAnthropic({ apiKey: ANTHROPIC_KEY });
		ollama = await startFakeOllama();
		n8n = await startN8n({
			runtime,
			credentials: [
				{ name: 'OpenAI', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url, header: false } },
				{ name: 'Anthropic', type: 'anthropicApi', data: { apiKey: ANTHROPIC_KEY, url: anthropic.url, header: false } },
				{ name: 'Anthropic (wrong key)', type: 'anthropicApi', data: { apiKey: 'sk-ant-wrong-secret', url: anthropic.url, header: false } },
				{ name: 'Ollama', type: 'ollamaApi', data: { baseUrl: ollama.url, apiKey: '' } },
			],
			workflows: Object.values(WORKFLOWS),
		});
	}, 600_000);

	afterAll(async () => {
		await n8n?.stop();
		await Promise.all([openai?.close(), anthropic?.close(), ollama?.close()]);
	});

	async function ask(spec: WorkflowSpec, task: string) {
		const path = (spec.nodes[0].parameters as { path: string }).path;
		const response = await n8n.webhook('POST', path, { task });
		const execution = await n8n.lastExecution(n8n.workflowIds[spec.name]);
		return { response, execution };
	}

	it('OpenAI Chat Model: calls the Code Tool through the connected model, without any Agent Brain credential', async () => {
		openai.setScript([{ toolCalls: [{ id: 'call_r1', name: 'Reverse_Text', arguments: { input: 'שלום abc' } }] }, { content: 'Reversed: cba םולש' }]);
		const { response, execution } = await ask(WORKFLOWS.openai, 'Reverse "שלום abc"');
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({ answer: 'Reversed: cba םולש', stopReason: 'completed', iterations: 2 });
		expect(response.body.toolCalls[0]).toMatchObject({ name: 'Reverse_Text', arguments: { input: 'שלום abc' }, resultSummary: 'cba םולש' });
		expect(response.body.usage.totalTokens).toBeGreaterThan(0);
		// The tool's result went back to the model paired with its call (Responses API or chat completions, whichever the node speaks).
		const second = JSON.stringify(openai.requests.filter((r) => r.method === 'POST').at(-1)?.body);
		expect(second).toContain('call_r1');
		expect(second).toContain('cba םולש');
		expect(execution.data.resultData.runData['Reverse Text']).toBeDefined();
		expect(execution.data.resultData.runData['OpenAI Chat Model']).toHaveLength(2);
		expect(JSON.stringify(execution.data)).not.toContain(OPENAI_KEY);
	});

	it('Anthropic Chat Model: tool_use and tool_result blocks paired, content blocks read, usage counted', async () => {
		anthropic.setScript([
			{ content: 'I will reverse it.', toolCalls: [{ id: 'toolu_e2e1', name: 'Reverse_Text', arguments: { input: 'hello' } }], usage: { prompt_tokens: 40, completion_tokens: 10 } },
			{ content: 'Reversed: olleh', usage: { prompt_tokens: 60, completion_tokens: 5 } },
		]);
		const { response, execution } = await ask(WORKFLOWS.anthropic, 'Reverse "hello"');
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({ answer: 'Reversed: olleh', stopReason: 'completed', iterations: 2 });
		expect(response.body.usage).toEqual({ promptTokens: 100, completionTokens: 15, totalTokens: 115 });
		const [first, second] = anthropic.requests.slice(-2).map((r) => r.body);
		expect(first.system).toContain('You reverse texts.');
		expect(first.tools[0]).toMatchObject({ name: 'Reverse_Text', input_schema: expect.objectContaining({ type: 'object' }) });
		expect(second.messages.at(-2).content).toContainEqual(expect.objectContaining({ type: 'tool_use', id: 'toolu_e2e1', name: 'Reverse_Text', input: { input: 'hello' } }));
		expect(second.messages.at(-1).content).toContainEqual(expect.objectContaining({ type: 'tool_result', tool_use_id: 'toolu_e2e1', content: 'olleh' }));
		expect(execution.data.resultData.runData['Anthropic Chat Model']).toHaveLength(2);
	});

	it('Ollama Chat Model: /api/chat with tools, calls whose arguments are objects, usage from eval counts', async () => {
		ollama.setScript([{ toolCalls: [{ name: 'Reverse_Text', arguments: { input: 'n8n' } }] }, { content: 'Reversed: n8n' }]);
		const { response } = await ask(WORKFLOWS.ollama, 'Reverse "n8n"');
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({ answer: 'Reversed: n8n', stopReason: 'completed' });
		expect(response.body.toolCalls[0]).toMatchObject({ name: 'Reverse_Text', arguments: { input: 'n8n' }, resultSummary: 'n8n' });
		const chats = ollama.requests.filter((r) => r.path === '/api/chat').slice(-2).map((r) => r.body);
		expect(chats[0].tools[0]).toMatchObject({ type: 'function', function: { name: 'Reverse_Text' } });
		expect(chats[1].messages.at(-1)).toMatchObject({ role: 'tool', content: 'n8n' });
		expect(response.body.usage.totalTokens).toBeGreaterThan(0);
	});

	it('the guards hold through a connected model: repeated calls are blocked and max iterations ends with a final answer', async () => {
		const same = { toolCalls: [{ name: 'Reverse_Text', arguments: { input: 'again' } }] };
		ollama.setScript([same, same, same, { content: 'Best effort: niaga' }]);
		const { response } = await ask(WORKFLOWS.ollamaLoop, 'Reverse "again" forever');
		expect(response.body).toMatchObject({ stopReason: 'max_iterations', iterations: 3, answer: 'Best effort: niaga' });
		expect(response.body.toolCalls.map((c: { repeated?: boolean }) => Boolean(c.repeated))).toEqual([false, false, true]);
		const last = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)?.body;
		expect(last.tools ?? []).toEqual([]);
		expect(last.messages.at(-1).content).toMatch(/maximum number of steps/);
	});

	it('max iterations ends with a final answer through Anthropic too, which refuses tool blocks in a request without tools', async () => {
		const call = (input: string) => ({ toolCalls: [{ name: 'Reverse_Text', arguments: { input } }] });
		anthropic.setScript([call('one'), call('two'), { content: 'Best effort: owt' }]);
		const { response } = await ask(WORKFLOWS.anthropicLoop, 'Reverse "one", then "two", forever');
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({ stopReason: 'max_iterations', iterations: 2, answer: 'Best effort: owt' });
		const last = anthropic.requests.at(-1)!.body;
		expect(last.tools ?? []).toEqual([]);
		// The tool rounds reach the final call as text, the roles still alternating.
		const blocks = last.messages.flatMap((m: { content: unknown }) => (Array.isArray(m.content) ? m.content : []));
		expect(blocks.filter((b: { type: string }) => b.type === 'tool_use' || b.type === 'tool_result')).toEqual([]);
		const roles = last.messages.map((m: { role: string }) => m.role);
		expect(roles.every((role: string, i: number) => i === 0 || role !== roles[i - 1])).toBe(true);
		expect(JSON.stringify(last.messages)).toContain('owt');
	});

	it('names the sub-node\'s credential when Anthropic refuses the key, never showing the key', async () => {
		const { execution } = await ask(WORKFLOWS.wrongKey, 'Reverse "x"');
		const error = nodeError(execution, 'Agent Brain');
		expect(error?.message).toMatch(/^The chat model "Anthropic Chat Model" refused its credential \(HTTP 401\)/);
		expect(error?.description).toBe('Check the API key in the "Anthropic (wrong key)" credential of the "Anthropic Chat Model" node.');
		expect(JSON.stringify(execution.data)).not.toContain('sk-ant-wrong-secret');
	});

	it('refuses a text-completion model on the Chat Model input, naming it', async () => {
		const { execution } = await ask(WORKFLOWS.textCompletion, 'Reverse "x"');
		expect(nodeError(execution, 'Agent Brain')?.message).toBe('The node on the Chat Model input ("OpenAI Model") is not a chat model');
		expect(() => nodeOutput(execution, 'Agent Brain')).toThrow(/failed/);
	});
});
