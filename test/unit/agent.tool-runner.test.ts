// The tool runner: one call in, the message the model reads, the call's record and trace entry, and an escalation only for what the user must fix.
import { AgenticError } from '../../nodes/shared/errors';
import { startRunClock, type RunClock } from '../../nodes/AgentBrain/engine/runClock';
import { runToolCall, toolboxOf, type ToolCallContext } from '../../nodes/AgentBrain/engine/toolRunner';
import type { AgentTool, ToolCallRequest } from '../../nodes/AgentBrain/engine/types';

const clocks: RunClock[] = [];
afterEach(() => clocks.splice(0).forEach((clock) => clock.stop()));

function context(extra: Partial<ToolCallContext> = {}, timeoutMs?: number): ToolCallContext {
	const clock = startRunClock(timeoutMs);
	clocks.push(clock);
	return { iteration: 3, repeated: false, clock, ...extra };
}

function call(name: string, args: object | string, id = 'call-1'): ToolCallRequest {
	return { id, type: 'function', function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } };
}

function lookup(run: AgentTool['run'] = async (args) => ({ found: args.q, url: 'https://example.org/page' })): AgentTool & { runs: Array<Record<string, unknown>> } {
	const runs: Array<Record<string, unknown>> = [];
	return {
		name: 'lookup',
		description: 'Looks things up',
		parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
		runs,
		async run(args, ctx) {
			runs.push(args);
			return run(args, ctx);
		},
	};
}

describe('tool runner', () => {
	it('runs the call and returns the observation, the record, the trace entry and the URLs the tool returned', async () => {
		const tool = lookup();
		const outcome = await runToolCall(call('lookup', { q: 'Paris' }), toolboxOf([tool]), context());
		expect(tool.runs).toEqual([{ q: 'Paris' }]);
		expect(outcome.message).toEqual({ role: 'tool', tool_call_id: 'call-1', content: '{"found":"Paris","url":"https://example.org/page"}' });
		expect(outcome.record).toMatchObject({ name: 'lookup', arguments: { q: 'Paris' }, resultSummary: outcome.message.content, iteration: 3 });
		expect(outcome.record.error).toBeUndefined();
		expect(outcome.record.repeated).toBeUndefined();
		expect(outcome.entry).toMatchObject({ iteration: 3, direction: 'tool', role: 'tool', toolCallId: 'call-1', content: outcome.message.content });
		expect(outcome.entry.ms).toBeGreaterThanOrEqual(0);
		expect(outcome.urls).toEqual(['https://example.org/page']);
		expect(outcome.escalation).toBeUndefined();
	});

	it('keeps the first 200 characters of a long observation in the record, whole characters only', async () => {
		const tool = lookup(async () => '🇫🇷'.repeat(150));
		const outcome = await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), context());
		expect(outcome.message.content).toHaveLength(600);
		expect(Array.from(outcome.record.resultSummary)).toHaveLength(200);
		expect(outcome.message.content.startsWith(outcome.record.resultSummary)).toBe(true);
	});

	it.each([
		['arguments that are not JSON', call('lookup', '{"q": "unterminated'), /^the arguments are not valid JSON \(.+\); call lookup again with a JSON object as arguments$/],
		['arguments that are not an object', call('lookup', '["Paris"]'), /^the arguments of lookup must be a JSON object$/],
		['arguments that break the schema', call('lookup', { q: 42 }), /^invalid arguments for lookup: \/q must be string$/],
		['an unknown tool', call('teleport', {}), /^there is no tool named "teleport". The tools are: lookup$/],
	])('does not run %s, and tells the model what to fix', async (_case, request, problem) => {
		const tool = lookup();
		const outcome = await runToolCall(request, toolboxOf([tool]), context());
		expect(tool.runs).toHaveLength(0);
		expect(outcome.record.error).toMatch(problem);
		expect(outcome.message.content).toBe(`Error: ${outcome.record.error}\nPlease fix your mistakes.`);
		expect(outcome.urls).toEqual([]);
		expect(outcome.escalation).toBeUndefined();
	});

	it('records broken arguments as the text the model sent', async () => {
		const outcome = await runToolCall(call('lookup', '{"q": '), toolboxOf([lookup()]), context());
		expect(outcome.record.arguments).toBe('{"q": ');
	});

	it('reads empty arguments as an empty object', async () => {
		const free: AgentTool = { name: 'now', description: 'The time', parameters: { type: 'object', properties: {} }, run: async (args) => ({ args }) };
		const outcome = await runToolCall(call('now', ''), toolboxOf([free]), context());
		expect(outcome.record.error).toBeUndefined();
		expect(outcome.message.content).toBe('{"args":{}}');
	});

	it('hands a failing tool back to the model as a message, URLs in the error not counted as sources', async () => {
		const tool = lookup(async () => {
			throw new Error('https://status.example.org says the disk is on fire');
		});
		const outcome = await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), context());
		expect(outcome.message.content).toBe('Error: lookup failed: https://status.example.org says the disk is on fire\nPlease fix your mistakes.');
		expect(outcome.urls).toEqual([]);
		expect(outcome.escalation).toBeUndefined();
	});

	it('escalates a refused credential, which the model cannot fix, and still has the message for the record', async () => {
		const refused = new AgenticError('auth', 'Tavily refused the API key', { description: 'Check the "Tavily" credential.' });
		const tool = lookup(async () => {
			throw refused;
		});
		const outcome = await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), context());
		expect(outcome.escalation).toBe(refused);
		expect(outcome.record.error).toBe('lookup failed: Tavily refused the API key');
	});

	it('does not escalate other service failures: the model may try something else', async () => {
		const tool = lookup(async () => {
			throw new AgenticError('rate_limited', 'Tavily is rate limiting');
		});
		const outcome = await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), context());
		expect(outcome.escalation).toBeUndefined();
		expect(outcome.record.error).toBe('lookup failed: Tavily is rate limiting');
	});

	it('does not run a call the repeat guard refused, and marks its record', async () => {
		const tool = lookup();
		const outcome = await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), context({ repeated: true }));
		expect(tool.runs).toHaveLength(0);
		expect(outcome.record.repeated).toBe(true);
		expect(outcome.message.content).toMatch(/^Error: lookup was already called 2 times with these exact arguments, so it was not run again/);
	});

	it('gives up on a tool that outlives the time limit, even one that ignores the abort signal', async () => {
		const tool = lookup(() => new Promise(() => undefined));
		const started = Date.now();
		const outcome = await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), context({}, 50));
		expect(Date.now() - started).toBeLessThan(1000);
		expect(outcome.record.error).toBe('lookup did not finish before the time limit');
	});

	it('passes the run\'s abort signal to the tool', async () => {
		let seen: AbortSignal | undefined;
		const tool = lookup(async (_args, ctx) => {
			seen = ctx.signal;
			return 'ok';
		});
		const ctx = context();
		await runToolCall(call('lookup', { q: 'x' }), toolboxOf([tool]), ctx);
		expect(seen).toBe(ctx.clock.signal);
	});

	it('offers tools by unique names the model can call', () => {
		const toolbox = toolboxOf([lookup(), { ...lookup(), name: 'lookup' }, { ...lookup(), name: 'web search!' }]);
		expect(toolbox.definitions.map((d) => d.name)).toEqual(['lookup', 'lookup_2', 'web_search']);
		expect(toolbox.definitions[0]).toEqual({ name: 'lookup', description: 'Looks things up', parameters: lookup().parameters });
		expect([...toolbox.byName.keys()]).toEqual(['lookup', 'lookup_2', 'web_search']);
	});
});
