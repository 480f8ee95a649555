// The run's result: citations split by what tools returned, structured data or its errors, and no secret anywhere in it.
import { buildResult, type FinishedRun } from '../../nodes/AgentBrain/engine/result';
import type { ChatMessage } from '../../nodes/AgentBrain/engine/types';

const KEY = 'sk-secret-4242';

function finished(extra: Partial<FinishedRun> = {}): FinishedRun {
	const turn: ChatMessage[] = [
		{ role: 'user', content: `Use ${KEY}` },
		{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: `{"key":"${KEY}"}` } }] },
		{ role: 'tool', tool_call_id: 'c1', content: `echo ${KEY}` },
		{ role: 'assistant', content: `See https://example.org/a and https://made-up.example.net (${KEY})` },
	];
	return {
		answer: `See https://example.org/a and https://made-up.example.net (${KEY})`,
		stopReason: 'completed',
		iterations: 2,
		toolCalls: [{ name: 'lookup', arguments: { key: KEY }, resultSummary: `echo ${KEY}`, ms: 3, iteration: 1, error: `bad ${KEY}` }],
		usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
		trace: [{ iteration: 1, direction: 'tool', role: 'tool', content: `echo ${KEY}`, toolCallId: 'c1' }],
		turn,
		sources: ['https://example.org/a/'],
		...extra,
	};
}

describe('run result', () => {
	it('removes every secret from the answer, the tool call records, the trace and the turn', () => {
		const result = buildResult(finished(), [KEY]);
		expect(JSON.stringify(result)).not.toContain(KEY);
		expect(result.answer).toBe('See https://example.org/a and https://made-up.example.net ([redacted])');
		expect(result.toolCalls[0]).toMatchObject({ arguments: { key: '[redacted]' }, resultSummary: 'echo [redacted]', error: 'bad [redacted]' });
		expect(result.trace[0].content).toBe('echo [redacted]');
		expect(result.turn[1]).toMatchObject({ tool_calls: [{ function: { arguments: '{"key":"[redacted]"}' } }] });
		expect(result.turn.at(-1)?.content).toContain('[redacted]');
	});

	it('removes a secret that needs escaping in JSON, and ignores blank or too-short ones', () => {
		const quoted = 'pa"ss\\word';
		// Under four characters a "secret" would blank out ordinary words.
		const result = buildResult(finished({ answer: `the password is ${quoted}` }), [quoted, '', undefined, 'the']);
		expect(result.answer).toBe('the password is [redacted]');
	});

	it('keeps cited URLs some tool returned, and lists the others as unverified only when citations are required', () => {
		expect(buildResult(finished(), []).citations).toEqual(['https://example.org/a']);
		expect(buildResult(finished(), []).unverifiedCitations).toBeUndefined();
		expect(buildResult(finished({ requireCitations: true }), []).unverifiedCitations).toEqual(['https://made-up.example.net']);
	});

	it('gives the parsed data when the answer fit the schema, its problems when not, and neither without a schema', () => {
		const fits = buildResult(finished({ structured: { ok: true, value: { key: KEY } } }), [KEY]);
		expect(fits).toMatchObject({ data: { key: '[redacted]' } });
		expect(fits.dataErrors).toBeUndefined();
		const fails = buildResult(finished({ structured: { ok: false, errors: [`/key must not be ${KEY}`] } }), [KEY]);
		expect(fails.dataErrors).toEqual(['/key must not be [redacted]']);
		expect('data' in fails).toBe(false);
		const plain = buildResult(finished(), [KEY]);
		expect('data' in plain || 'dataErrors' in plain).toBe(false);
	});

	it('passes stop reason, iterations and usage through', () => {
		const result = buildResult(finished({ stopReason: 'max_iterations', iterations: 10 }), []);
		expect(result).toMatchObject({ stopReason: 'max_iterations', iterations: 10, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } });
	});
});
