// The agent loop as a step function: tools the caller runs (n8n's engine) pause the run, its state survives a JSON round trip, and every guard holds across pauses.
import { advanceAgent, runAgent, type AgentRunOptions, type AgentStep, type PausedRun } from '../../nodes/AgentBrain/engine/loop';
import { OpenAiChatModel } from '../../nodes/AgentBrain/engine/model';
import type { AgentResult, AgentTool, OutsideResult } from '../../nodes/AgentBrain/engine/types';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';

const KEY = 'sk-pause-test-key-123';
let fake: FakeOpenAI;

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY });
});
afterEach(() => fake.close());

const model = () => new OpenAiChatModel({ apiKey: KEY, baseUrl: fake.url, model: 'gpt-4o-mini', retry: { baseDelayMs: 1, retries: 0 } });

const lookupParameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false };

/** A tool the caller runs; `run` must never be used. */
function outsideTool(name = 'send_alert'): AgentTool {
	return {
		name,
		description: `Runs in the workflow (${name})`,
		parameters: lookupParameters,
		handOver: { node: name },
		async run() {
			throw new Error('an outside tool must not run in-process');
		},
	};
}

function inProcessTool(name: string, answer: (q: string) => unknown): AgentTool & { calls: number } {
	const tool = {
		name,
		description: `Looks things up (${name})`,
		parameters: lookupParameters,
		calls: 0,
		async run(args: Record<string, unknown>) {
			tool.calls++;
			return answer(String(args.q));
		},
	};
	return tool;
}

const options = (extra: Partial<AgentRunOptions>): AgentRunOptions => ({ model: model(), task: 'Alert the guard', ...extra });

/** What crosses the pause: n8n stores it as JSON in the execution. */
const stored = (state: PausedRun): PausedRun => JSON.parse(JSON.stringify(state));

/** Drives a run to its end, answering every handed-over call with `answer`. */
async function driveToEnd(run: AgentRunOptions, answer: (call: { name: string; arguments: Record<string, unknown> }) => OutsideResult['approval'] | string, countPause = true): Promise<{ result: AgentResult; pauses: number }> {
	let step: AgentStep = await advanceAgent(run);
	let pauses = 0;
	while (!step.finished) {
		pauses++;
		const results: OutsideResult[] = step.calls.map((call) => ({ id: call.id, observation: String(answer(call)) }));
		step = await advanceAgent(run, { state: stored(step.state), results, countPause });
	}
	return { result: step.result, pauses };
}

/** A result without its timings, to compare two runs. */
function timeless(result: AgentResult) {
	return {
		...result,
		toolCalls: result.toolCalls.map(({ ms: _ms, ...rest }) => rest),
		trace: result.trace.map(({ ms: _ms, ...rest }) => rest),
	};
}

describe('a run with tools the caller runs', () => {
	it('pauses at the call with the checked arguments and goes on with the result, as if the tool had run in-process', async () => {
		const script = [{ toolCalls: [{ id: 'c1', name: 'send_alert', arguments: { q: 'AB123' } }] }, { content: 'Alert sent for AB123.' }];
		fake.setScript(script);
		const first = await advanceAgent(options({ tools: [outsideTool()] }));
		expect(first.finished).toBe(false);
		if (first.finished) return;
		expect(first.calls).toEqual([{ id: 'c1', name: 'send_alert', arguments: { q: 'AB123' }, handOver: { node: 'send_alert' } }]);
		expect(fake.requests).toHaveLength(1);
		const resumed = await advanceAgent(options({ tools: [outsideTool()] }), { state: stored(first.state), results: [{ id: 'c1', observation: '{"sent":true}' }], countPause: true });
		expect(resumed.finished).toBe(true);
		if (!resumed.finished) return;
		expect(fake.requests.at(-1)?.body.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'c1', content: '{"sent":true}' });

		// The same script with the tool run in-process: the same result, but for timings.
		fake.setScript(script);
		const direct = await runAgent(options({ tools: [inProcessTool('send_alert', () => ({ sent: true }))] }));
		expect(timeless(resumed.result)).toEqual(timeless(direct));
		expect(resumed.result).toMatchObject({ answer: 'Alert sent for AB123.', stopReason: 'completed', iterations: 2 });
	});

	it('runs the in-process calls of a round at once and keeps the round in call order around the handed-over ones', async () => {
		fake.setScript([
			{
				toolCalls: [
					{ id: 'a', name: 'lookup', arguments: { q: 'AB123' } },
					{ id: 'b', name: 'send_alert', arguments: { q: 'AB123' } },
					{ id: 'c', name: 'lookup', arguments: { q: 'CD456' } },
				],
			},
			{ content: 'Done.' },
		]);
		const lookup = inProcessTool('lookup', (q) => `listed:${q}`);
		const run = options({ tools: [lookup, outsideTool()] });
		const first = await advanceAgent(run);
		if (first.finished) throw new Error('expected a pause');
		expect(lookup.calls).toBe(2);
		expect(first.calls.map((call) => call.id)).toEqual(['b']);
		const done = await advanceAgent(run, { state: stored(first.state), results: [{ id: 'b', observation: 'sent' }], countPause: true });
		if (!done.finished) throw new Error('expected the end');
		expect(fake.requests[1].body.messages.slice(-3).map((m: { content: string }) => m.content)).toEqual(['listed:AB123', 'sent', 'listed:CD456']);
		expect(done.result.toolCalls.map((call) => [call.name, call.resultSummary])).toEqual([
			['lookup', 'listed:AB123'],
			['send_alert', 'sent'],
			['lookup', 'listed:CD456'],
		]);
	});

	it('answers a bad call of an outside tool itself, without handing it over', async () => {
		fake.setScript([{ toolCalls: [{ id: 'c1', name: 'send_alert', arguments: { plate: 'AB123' } }] }, { content: 'I could not send it.' }]);
		const step = await advanceAgent(options({ tools: [outsideTool()] }));
		expect(step.finished).toBe(true);
		if (!step.finished) return;
		expect(step.result.toolCalls[0].error).toMatch(/invalid arguments for send_alert/);
		expect(fake.requests[1].body.messages.at(-1).content).toMatch(/^Error: invalid arguments for send_alert/);
	});

	it('tells the model of a failed or declined outside call, and records the approval', async () => {
		fake.setScript([{ toolCalls: [{ id: 'c1', name: 'send_alert', arguments: { q: 'AB123' } }] }, { content: 'The reviewer said no.' }]);
		const first = await advanceAgent(options({ tools: [outsideTool()] }));
		if (first.finished) throw new Error('expected a pause');
		const declined: OutsideResult = { id: 'c1', approval: 'declined', observation: 'The reviewer declined this call: wrong plate.' };
		const done = await advanceAgent(options({ tools: [outsideTool()] }), { state: stored(first.state), results: [declined], countPause: false });
		if (!done.finished) throw new Error('expected the end');
		expect(done.result.toolCalls[0]).toMatchObject({ name: 'send_alert', approval: 'declined', resultSummary: 'The reviewer declined this call: wrong plate.' });
		expect(done.result.toolCalls[0].error).toBeUndefined();

		fake.setScript([{ toolCalls: [{ id: 'c1', name: 'send_alert', arguments: { q: 'AB123' } }] }, { content: 'It failed.' }]);
		const again = await advanceAgent(options({ tools: [outsideTool()] }));
		if (again.finished) throw new Error('expected a pause');
		const failed = await advanceAgent(options({ tools: [outsideTool()] }), { state: stored(again.state), results: [{ id: 'c1', problem: 'send_alert failed: 502 from WhatsApp' }], countPause: true });
		if (!failed.finished) throw new Error('expected the end');
		expect(failed.result.toolCalls[0].error).toBe('send_alert failed: 502 from WhatsApp');
		expect(fake.requests.at(-1)?.body.messages.at(-1).content).toBe('Error: send_alert failed: 502 from WhatsApp\nPlease fix your mistakes.');
	});

	it('answers a handed-over call that came back without a result as failed', async () => {
		fake.setScript([{ toolCalls: [{ id: 'c1', name: 'send_alert', arguments: { q: 'AB123' } }] }, { content: 'No result.' }]);
		const first = await advanceAgent(options({ tools: [outsideTool()] }));
		if (first.finished) throw new Error('expected a pause');
		const done = await advanceAgent(options({ tools: [outsideTool()] }), { state: stored(first.state), results: [], countPause: true });
		if (!done.finished) throw new Error('expected the end');
		expect(done.result.toolCalls[0].error).toBe('send_alert returned no result');
	});
});

describe('the guards hold across pauses', () => {
	it('the repeat guard stops a model calling the same outside tool with the same arguments a third time', async () => {
		const same = { toolCalls: [{ name: 'send_alert', arguments: { q: 'AB123' } }] };
		fake.setScript([same, same, same, { content: 'Stopped repeating.' }]);
		const { result, pauses } = await driveToEnd(options({ tools: [outsideTool()] }), () => 'sent');
		expect(pauses).toBe(2);
		expect(result.toolCalls.map((call) => Boolean(call.repeated))).toEqual([false, false, true]);
		expect(result.answer).toBe('Stopped repeating.');
	});

	it('max iterations counts every model call across pauses and ends with a tool-less final answer', async () => {
		fake.setScript([
			{ toolCalls: [{ name: 'send_alert', arguments: { q: '1' } }] },
			{ toolCalls: [{ name: 'send_alert', arguments: { q: '2' } }] },
			(request) => ({ content: request.body.tools ? 'tools were offered' : 'Final answer without tools.' }),
		]);
		const { result, pauses } = await driveToEnd(options({ tools: [outsideTool()], maxIterations: 2 }), () => 'sent');
		expect(pauses).toBe(2);
		expect(result).toMatchObject({ stopReason: 'max_iterations', iterations: 2, answer: 'Final answer without tools.' });
	});

	it('a pause that counts against the time limit can use it up: the run then stops without another model call', async () => {
		fake.setScript([{ toolCalls: [{ name: 'send_alert', arguments: { q: 'AB123' } }] }, { content: 'too late' }]);
		const run = options({ tools: [outsideTool()], timeoutMs: 60_000 });
		const first = await advanceAgent(run);
		if (first.finished) throw new Error('expected a pause');
		const state = stored(first.state);
		state.pausedAt -= 120_000; // the run was paused for two minutes
		const counted = await advanceAgent(run, { state, results: [{ id: first.calls[0].id, observation: 'sent' }], countPause: true });
		if (!counted.finished) throw new Error('expected the end');
		expect(counted.result.stopReason).toBe('timeout');
		expect(fake.requests).toHaveLength(1);
		// The call's result is kept in the turn: nothing half-recorded.
		expect(counted.result.turn.at(-1)).toMatchObject({ role: 'tool', content: 'sent' });

		const notCounted = await advanceAgent(run, { state, results: [{ id: first.calls[0].id, observation: 'sent' }], countPause: false });
		if (!notCounted.finished) throw new Error('expected the end');
		expect(notCounted.result).toMatchObject({ stopReason: 'completed', answer: 'too late' });
	});

	it('the state handed over holds no secret a tool echoed', async () => {
		fake.setScript([
			{ toolCalls: [{ id: 'a', name: 'lookup', arguments: { q: 'x' } }, { id: 'b', name: 'send_alert', arguments: { q: 'x' } }] },
			{ content: 'ok' },
		]);
		const leaky = inProcessTool('lookup', () => `debug: key=${KEY}`);
		const first = await advanceAgent(options({ tools: [leaky, outsideTool()], secrets: [KEY] }));
		if (first.finished) throw new Error('expected a pause');
		expect(JSON.stringify(first.state)).not.toContain(KEY);
		expect(JSON.stringify(first.state)).toContain('debug: key=');
	});
});

describe('runAgent', () => {
	it('refuses to hand a call over: a tool that runs outside needs advanceAgent', async () => {
		fake.setScript([{ toolCalls: [{ name: 'send_alert', arguments: { q: 'AB123' } }] }]);
		await expect(runAgent(options({ tools: [outsideTool()] }))).rejects.toThrow('The tool "send_alert" must be run by the caller');
	});
});
