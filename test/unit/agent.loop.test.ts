// The agent loop and its guards, driven turn by turn by the scripted OpenAI fake over real HTTP: through the OpenAI-compatible client, and through a connected LangChain chat model.
import { AgenticError } from '../../nodes/shared/errors';
import { runAgent, type AgentRunOptions } from '../../nodes/AgentBrain/engine/loop';
import { ConnectedChatModel } from '../../nodes/AgentBrain/engine/connectedModel';
import { OpenAiChatModel, parseCompletion } from '../../nodes/AgentBrain/engine/model';
import { traceToMarkdown } from '../../nodes/AgentBrain/engine/trace';
import type { AgentTool, ChatModel } from '../../nodes/AgentBrain/engine/types';
import { startFakeOpenAI, type FakeOpenAI, type Responder } from '../fakes/openai';
import { langChainChatModel } from '../helpers/langChainChatModel';

const KEY = 'sk-test-key';
let fake: FakeOpenAI;

beforeEach(async () => {
	fake = await startFakeOpenAI();
});
afterEach(() => fake.close());

function model(extra: Partial<ConstructorParameters<typeof OpenAiChatModel>[0]> = {}) {
	return new OpenAiChatModel({ apiKey: KEY, baseUrl: fake.url, model: 'gpt-4o-mini', retry: { baseDelayMs: 1, retries: 2 }, ...extra });
}

function echoTool(name = 'lookup', onRun: (args: Record<string, unknown>) => unknown = (args) => ({ found: args.q })): AgentTool & { calls: number } {
	const tool = {
		name,
		description: `Looks things up (${name})`,
		parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
		calls: 0,
		async run(args: Record<string, unknown>) {
			tool.calls++;
			return onRun(args);
		},
	};
	return tool;
}

const run = (options: Partial<AgentRunOptions>) => runAgent({ model: model(), task: 'Find it', ...options } as AgentRunOptions);

/** Every guard must hold whichever model the agent talks to. */
const MODELS: Array<[string, () => ChatModel]> = [
	['the OpenAI-Compatible API', () => model()],
	['a connected chat model (LangChain surface)', () => new ConnectedChatModel(langChainChatModel({ baseUrl: fake.url, apiKey: KEY }), 'Chat Model')],
	[
		'a connected chat model answering in content blocks',
		() => new ConnectedChatModel(langChainChatModel({ baseUrl: fake.url, apiKey: KEY, contentBlocks: true }), 'Chat Model'),
	],
];

describe.each(MODELS)('agent loop through %s', (_name, makeModel) => {
	const run = (options: Partial<AgentRunOptions>) => runAgent({ model: makeModel(), task: 'Find it', ...options } as AgentRunOptions);

	it('runs a tool the model calls, feeds back the result, and returns the answer with usage and trace', async () => {
		fake.setScript([{ toolCalls: [{ id: 'c1', name: 'lookup', arguments: { q: 'capital of France' } }] }, { content: 'Paris.' }]);
		const tool = echoTool();
		const result = await run({ tools: [tool], systemMessage: 'Be brief.' });
		expect(result.answer).toBe('Paris.');
		expect(result.stopReason).toBe('completed');
		expect(result.iterations).toBe(2);
		expect(tool.calls).toBe(1);
		expect(result.toolCalls).toEqual([
			expect.objectContaining({ name: 'lookup', arguments: { q: 'capital of France' }, resultSummary: '{"found":"capital of France"}', iteration: 1 }),
		]);
		const second = fake.requests[1].body;
		expect(second.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
		expect(second.messages[3]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '{"found":"capital of France"}' });
		expect(second.tools[0].function.name).toBe('lookup');
		expect(result.usage.totalTokens).toBeGreaterThan(0);
		expect(result.usage.totalTokens).toBe(result.usage.promptTokens + result.usage.completionTokens);
		expect(result.trace.map((t) => `${t.direction}:${t.role}`)).toEqual(['sent:system', 'sent:user', 'received:assistant', 'tool:tool', 'received:assistant']);
		expect(result.turn.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
	});

	it('runs the tool calls of one turn concurrently and returns their results in call order', async () => {
		const started: Record<string, number> = {};
		const finished: Record<string, number> = {};
		const slow = echoTool('slow', async () => {
			started.slow = Date.now();
			await new Promise((r) => setTimeout(r, 150));
			finished.slow = Date.now();
			return 'slow result';
		});
		const fast = echoTool('fast', async () => {
			started.fast = Date.now();
			await new Promise((r) => setTimeout(r, 10));
			finished.fast = Date.now();
			return 'fast result';
		});
		fake.setScript([
			{ toolCalls: [{ id: 'a', name: 'slow', arguments: { q: '1' } }, { id: 'b', name: 'fast', arguments: { q: '2' } }] },
			{ content: 'both done' },
		]);
		const result = await run({ tools: [slow, fast] });
		expect(result.answer).toBe('both done');
		expect(finished.fast).toBeLessThan(finished.slow);
		expect(started.fast).toBeLessThan(finished.slow);
		// Records and trace follow the order of the calls, not the order the tools finished in.
		expect(result.toolCalls.map((c) => c.name)).toEqual(['slow', 'fast']);
		expect(result.trace.filter((t) => t.direction === 'tool').map((t) => t.toolCallId)).toEqual(['a', 'b']);
		const toolMessages = fake.requests[1].body.messages.filter((m: { role: string }) => m.role === 'tool');
		expect(toolMessages.map((m: { tool_call_id: string; content: string }) => [m.tool_call_id, m.content])).toEqual([
			['a', 'slow result'],
			['b', 'fast result'],
		]);
	});

	it('streams the words as they are written, secrets removed, and returns the same result as without streaming', async () => {
		const answer = `Paris is the capital of France (key ${KEY}).`;
		const script = () => [{ toolCalls: [{ id: 'c1', name: 'lookup', arguments: { q: 'capital' } }], usage: { prompt_tokens: 10, completion_tokens: 5 } }, { content: answer, usage: { prompt_tokens: 20, completion_tokens: 9 } }];
		fake.setScript(script());
		const pieces: string[] = [];
		const streamed = await run({ tools: [echoTool()], secrets: [KEY], onText: (text) => pieces.push(text) });
		expect(pieces.length).toBeGreaterThan(1);
		expect(pieces.join('')).toBe('Paris is the capital of France (key [redacted]).');
		for (const piece of pieces) expect(piece).not.toMatch(/sk-|test-key/);
		fake.setScript(script());
		const whole = await run({ tools: [echoTool()], secrets: [KEY] });
		const comparable = (result: typeof whole) => ({ ...result, trace: result.trace.map(({ ms: _ms, ...entry }) => entry), toolCalls: result.toolCalls.map(({ ms: _ms, ...call }) => call) });
		expect(comparable(streamed)).toEqual(comparable(whole));
		expect(streamed.usage).toEqual({ promptTokens: 30, completionTokens: 14, totalTokens: 44 });
	});

	it('stops at max iterations with one last tool-free call for a best-effort answer', async () => {
		let n = 0;
		const searching: Responder = () => ({ content: 'still searching', toolCalls: [{ name: 'lookup', arguments: { q: `try ${++n}` } }] });
		fake.setScript([searching, searching, searching, { content: 'Best effort: probably Paris.' }]);
		const tool = echoTool();
		const result = await run({ tools: [tool], maxIterations: 3 });
		expect(result.stopReason).toBe('max_iterations');
		expect(result.answer).toBe('Best effort: probably Paris.');
		expect(result.iterations).toBe(3);
		expect(tool.calls).toBe(3);
		expect(fake.requests).toHaveLength(4);
		const last = fake.requests[3].body;
		expect(last.tools).toBeUndefined();
		expect(last.messages.at(-1).content).toMatch(/maximum number of steps/);
		expect(result.turn.at(-1)).toEqual({ role: 'assistant', content: 'Best effort: probably Paris.' });
	});

	it('does not run the same tool with the same arguments a third time, tells the model, and records the repeat', async () => {
		const same = { toolCalls: [{ name: 'lookup', arguments: { q: 'same' } }] };
		fake.setScript([same, same, { toolCalls: [{ name: 'lookup', arguments: { q: 'same' } }] }, { content: 'changed course' }]);
		const tool = echoTool();
		const result = await run({ tools: [tool] });
		expect(tool.calls).toBe(2);
		expect(result.answer).toBe('changed course');
		expect(result.toolCalls.map((c) => Boolean(c.repeated))).toEqual([false, false, true]);
		const observation = fake.requests[3].body.messages.at(-1);
		expect(observation.role).toBe('tool');
		expect(observation.content).toMatch(/^Error: lookup was already called 2 times with these exact arguments/);
		expect(observation.content).toMatch(/Please fix your mistakes/);
	});

	it('treats the same arguments in another key order as a repeat', async () => {
		const tool: AgentTool & { calls: number } = {
			...echoTool(),
			parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
			calls: 0,
			async run() {
				tool.calls++;
				return 'ok';
			},
		};
		fake.setScript([
			{ toolCalls: [{ name: 'lookup', arguments: '{"a":1,"b":2}' }] },
			{ toolCalls: [{ name: 'lookup', arguments: '{"b":2,"a":1}' }] },
			{ toolCalls: [{ name: 'lookup', arguments: '{ "a": 1, "b": 2 }' }] },
			{ content: 'done' },
		]);
		const result = await run({ tools: [tool] });
		expect(tool.calls).toBe(2);
		expect(result.toolCalls[2].repeated).toBe(true);
	});

	it('hands invalid JSON, schema mismatches, unknown tools and tool exceptions back to the model as errors', async () => {
		const failing = echoTool('explode', () => {
			throw new Error('disk on fire');
		});
		const tool = echoTool();
		fake.setScript([
			{
				toolCalls: [
					{ id: 'j', name: 'lookup', arguments: '{"q": "unterminated' },
					{ id: 's', name: 'lookup', arguments: { q: 42 } },
					{ id: 'u', name: 'teleport', arguments: {} },
					{ id: 'e', name: 'explode', arguments: { q: 'x' } },
				],
			},
			{ content: 'recovered' },
		]);
		const result = await run({ tools: [tool, failing] });
		expect(result.stopReason).toBe('completed');
		expect(result.answer).toBe('recovered');
		expect(tool.calls).toBe(0);
		// By call id: a LangChain model keeps the calls with broken arguments apart, after the others.
		const toolMessages: Array<{ tool_call_id: string; content: string }> = fake.requests[1].body.messages.filter((m: { role: string }) => m.role === 'tool');
		const observations = ['j', 's', 'u', 'e'].map((id) => toolMessages.find((m) => m.tool_call_id === id)?.content ?? '');
		expect(observations[0]).toMatch(/^Error: the arguments are not valid JSON/);
		expect(observations[1]).toMatch(/^Error: invalid arguments for lookup: \/q must be string/);
		expect(observations[2]).toMatch(/^Error: there is no tool named "teleport". The tools are: lookup, explode/);
		expect(observations[3]).toMatch(/^Error: explode failed: disk on fire/);
		for (const text of observations) expect(text).toMatch(/Please fix your mistakes\.$/);
		const errors = result.toolCalls.map((c) => c.error);
		expect(errors).toHaveLength(4);
		for (const problem of [/not valid JSON/, /must be string/, /no tool named/, /disk on fire/]) expect(errors).toContainEqual(expect.stringMatching(problem));
	});

	it('stops with stopReason "timeout" when a tool outlives the wall-clock limit', async () => {
		const stuck = echoTool('stuck', () => new Promise(() => undefined));
		fake.setScript([{ toolCalls: [{ name: 'stuck', arguments: { q: 'x' } }] }, { content: 'never asked' }]);
		const t0 = Date.now();
		const result = await run({ tools: [stuck], timeoutMs: 300 });
		expect(Date.now() - t0).toBeLessThan(2000);
		expect(result.stopReason).toBe('timeout');
		expect(result.toolCalls[0].error).toMatch(/did not finish before the time limit/);
		expect(fake.requests).toHaveLength(1);
	});

	it('stops with stopReason "timeout" when the model is slower than the limit', async () => {
		fake.setScript([{ content: 'too late', delayMs: 2000 }]);
		const t0 = Date.now();
		const result = await run({ timeoutMs: 250 });
		expect(Date.now() - t0).toBeLessThan(1500);
		expect(result.stopReason).toBe('timeout');
		expect(result.answer).toBe('');
	});

	it('stops with stopReason "token_budget" once the run has spent its tokens, without running the pending tools', async () => {
		const usage = { prompt_tokens: 600, completion_tokens: 200 };
		fake.setScript([
			{ toolCalls: [{ name: 'lookup', arguments: { q: '1' } }], usage },
			{ toolCalls: [{ name: 'lookup', arguments: { q: '2' } }], usage },
			{ content: 'never reached', usage },
		]);
		const tool = echoTool();
		const result = await run({ tools: [tool], tokenBudget: 1500 });
		expect(result.stopReason).toBe('token_budget');
		expect(result.usage.totalTokens).toBe(1600);
		expect(tool.calls).toBe(1);
		expect(fake.requests).toHaveLength(2);
		// Memory never keeps a tool call without its result.
		expect(result.turn.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
	});

	it('refuses an empty task with a clear error', async () => {
		await expect(run({ task: '   ' })).rejects.toMatchObject({ kind: 'invalid_input', field: 'Task', message: 'The task is empty' });
		expect(fake.requests).toHaveLength(0);
	});

	it('keeps only citations that tool results returned and lists the others as unverified', async () => {
		const search = echoTool('search', () => ({ results: [{ url: 'https://example.org/a' }, { url: 'https://news.example.com/b?id=1' }] }));
		fake.setScript([
			{ toolCalls: [{ name: 'search', arguments: { q: 'x' } }] },
			{ content: 'See [A](https://example.org/a/) and https://news.example.com/b?id=1. Also https://made-up.example.net/c.' },
		]);
		const result = await run({ tools: [search], requireCitations: true });
		expect(result.citations).toEqual(['https://example.org/a/', 'https://news.example.com/b?id=1']);
		expect(result.unverifiedCitations).toEqual(['https://made-up.example.net/c']);
		expect(fake.requests[0].body.messages[0].content).toMatch(/Never cite a URL that no tool returned/);
	});

	it('parses a structured answer, asking the model once to fix an invalid one', async () => {
		const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'] };
		fake.setScript([{ content: '```json\n{"city": "Paris"}\n```' }, { content: '{"city": "Paris", "population": 2102650}' }]);
		const result = await run({ outputSchema: schema });
		expect(result.stopReason).toBe('completed');
		expect(result.data).toEqual({ city: 'Paris', population: 2102650 });
		expect(fake.requests[1].body.messages.at(-1).content).toMatch(/\/population is required/);
		expect(result.turn.at(-1)).toEqual({ role: 'assistant', content: '{"city": "Paris", "population": 2102650}' });
	});

	it('reports invalid_output when the fixed answer still does not fit the schema', async () => {
		const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
		fake.setScript([{ content: 'not json at all' }, { content: '{"n": "seven"}' }]);
		const result = await run({ outputSchema: schema });
		expect(result.stopReason).toBe('invalid_output');
		expect(result.data).toBeUndefined();
		expect(result.dataErrors?.[0]).toMatch(/not valid JSON/);
		expect(fake.requests).toHaveLength(2);
	});

	it('passes Hebrew text through untouched in both directions', async () => {
		const task = 'מה בירת צרפת? ענה בעברית 🇫🇷';
		const answer = 'בירת צרפת היא פריז. "ציטוט" — סוף';
		fake.setScript([{ toolCalls: [{ name: 'lookup', arguments: { q: 'בירת צרפת' } }] }, { content: answer }]);
		const tool = echoTool();
		const result = await run({ task, tools: [tool] });
		expect(result.answer).toBe(answer);
		expect(fake.requests[0].body.messages.at(-1).content).toBe(task);
		expect(result.toolCalls[0].arguments).toEqual({ q: 'בירת צרפת' });
		expect(fake.requests[1].body.messages.at(-1).content).toBe('{"found":"בירת צרפת"}');
	});

	it('keeps secrets out of the trace, even when a tool echoes one', async () => {
		const leaky = echoTool('leaky', () => `the key is ${KEY}`);
		fake.setScript([{ toolCalls: [{ name: 'leaky', arguments: { q: KEY } }] }, { content: `done with ${KEY}` }]);
		const result = await run({ tools: [leaky], secrets: [KEY] });
		const text = JSON.stringify(result.trace);
		expect(text).not.toContain(KEY);
		expect(text).toContain('[redacted]');
		const markdown = traceToMarkdown(result.trace);
		expect(markdown).toContain('## Iteration 1');
		expect(markdown).toContain('calls `leaky`');
		expect(markdown).not.toContain(KEY);
	});

	it('keeps secrets out of the answer, the tool call records and the turn kept for memory', async () => {
		const leaky = echoTool('leaky', () => `the key is ${KEY}`);
		fake.setScript([{ toolCalls: [{ name: 'leaky', arguments: { q: KEY } }] }, { content: `done with ${KEY}` }]);
		const result = await run({ tools: [leaky], secrets: [KEY] });
		expect(result.answer).toBe('done with [redacted]');
		expect(result.toolCalls[0]).toMatchObject({ arguments: { q: '[redacted]' }, resultSummary: 'the key is [redacted]' });
		expect(JSON.stringify(result.turn)).not.toContain(KEY);
		expect(result.turn.at(-1)).toEqual({ role: 'assistant', content: 'done with [redacted]' });
	});

	it('sends earlier turns from memory before the task', async () => {
		const history = [
			{ role: 'user' as const, content: 'My name is Dana.' },
			{ role: 'assistant' as const, content: 'Nice to meet you, Dana.' },
		];
		const result = await run({ task: 'What is my name?', history });
		expect(fake.requests[0].body.messages).toEqual([...history, { role: 'user', content: 'What is my name?' }]);
		expect(result.answer).toBe('What is my name?');
		expect(result.trace[0]).toMatchObject({ direction: 'sent', role: 'user', content: 'My name is Dana.' });
	});

	it('stops a model that ignores the abort signal at the time limit', async () => {
		const hanging: ChatModel = { complete: () => new Promise(() => undefined) };
		const result = await runAgent({ model: hanging, task: 'x', timeoutMs: 100 });
		expect(result.stopReason).toBe('timeout');
	});
});

describe('agent loop over the OpenAI-Compatible API', () => {
	it('names the credential on a refused key and never shows the key', async () => {
		const wrong = 'sk-wrong-secret-123';
		const error = await runAgent({ model: model({ apiKey: wrong }), task: 'hi' }).catch((e) => e);
		expect(error).toBeInstanceOf(AgenticError);
		expect(error.kind).toBe('auth');
		expect(error.description).toMatch(/"OpenAI-Compatible API" credential/);
		expect(`${error.message} ${error.description}`).not.toContain(wrong);
	});

	it('retries 429 and 5xx answers, then succeeds', async () => {
		fake.setScript([{ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { content: 'made it' }]);
		const result = await run({});
		expect(result.answer).toBe('made it');
		expect(fake.requests).toHaveLength(3);
	});

	it('retries a model call that timed out', async () => {
		fake.setScript([{ content: 'too slow', delayMs: 600 }, { content: 'in time' }]);
		const result = await runAgent({ model: model({ timeoutMs: 150 }), task: 'hi' });
		expect(result.answer).toBe('in time');
		expect(fake.requests).toHaveLength(2);
	});

	it('pairs tool results with calls that came without an id (some local servers)', async () => {
		fake.setScript([
			(request) => ({ toolCalls: [{ name: 'lookup', arguments: { q: String(request.body.messages.length) } }] }),
			{ content: 'ok' },
		]);
		const tool = echoTool();
		// The fake always sends ids; a server that sends none is simulated by dropping them on the way in.
		const noIds: ChatModel = {
			async complete(request) {
				const response = await model().complete(request);
				const message = { ...response.message, tool_calls: response.message.tool_calls?.map((c) => ({ ...c, id: '' })) };
				return parseCompletion({ choices: [{ message }], usage: {} });
			},
		};
		const result = await runAgent({ model: noIds, task: 'x', tools: [tool] });
		expect(result.answer).toBe('ok');
		const [assistant, toolMessage] = fake.requests[1].body.messages.slice(-2);
		expect(assistant.tool_calls[0].id).toMatch(/^call_[0-9a-f]{12}_0$/);
		expect(toolMessage.tool_call_id).toBe(assistant.tool_calls[0].id);
	});

	it('gives a clear error when the server keeps failing', async () => {
		fake.setScript([{ status: 500 }, { status: 500 }, { status: 500 }]);
		await expect(run({})).rejects.toMatchObject({ kind: 'upstream', message: expect.stringMatching(/could not be reached after 3 tries: HTTP 500/) });
	});

	it('explains a refused model name', async () => {
		fake.setScript([{ status: 404, body: { error: { message: 'The model `gpt-9` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } }]);
		await expect(run({})).rejects.toMatchObject({ kind: 'not_found', field: 'Model', message: expect.stringMatching(/gpt-9` does not exist/) });
	});

	it('sends temperature, max tokens, organization and extra headers as asked', async () => {
		await runAgent({
			model: model({ temperature: 0.2, maxTokens: 99, organization: 'org-1', extraHeaders: { 'X-Title': 'n8n' } }),
			task: 'hi',
		});
		const request = fake.requests[0];
		expect(request.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 99 });
		expect(request.headers['openai-organization']).toBe('org-1');
		expect(request.headers['x-title']).toBe('n8n');
	});

	it('asks OpenAI itself for max_completion_tokens, which its newer models require', async () => {
		const sent: Array<{ url: string; body: any }> = [];
		const openAi = new OpenAiChatModel({
			apiKey: KEY,
			model: 'o4-mini',
			maxTokens: 50,
			transport: async (request) => {
				sent.push({ url: request.url, body: request.body });
				return { status: 200, headers: {}, body: { choices: [{ message: { role: 'assistant', content: 'ok' } }], usage: { prompt_tokens: 1, completion_tokens: 1 } } };
			},
		});
		const result = await runAgent({ model: openAi, task: 'hi' });
		expect(result.answer).toBe('ok');
		expect(sent[0].url).toBe('https://api.openai.com/v1/chat/completions');
		expect(sent[0].body.max_completion_tokens).toBe(50);
		expect(sent[0].body.max_tokens).toBeUndefined();
	});
});
