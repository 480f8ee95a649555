// One item's settings as the node reads them (the panel's defaults are the engine's), and the item a run becomes.
import { NodeOperationError } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { DEFAULT_MAX_ITERATIONS, DEFAULT_MEMORY_TURNS, DEFAULT_TIMEOUT_SECONDS } from '../../nodes/AgentBrain/engine/defaults';
import type { AgentResult } from '../../nodes/AgentBrain/engine/types';
import { readItemSettings } from '../../nodes/AgentBrain/execute/options';
import { resultToJson } from '../../nodes/AgentBrain/execute/output';
import { executeContext, type Parameters } from '../helpers/executeContext';

const settingsOf = (parameters: Parameters, itemIndex = 0) =>
	readItemSettings(executeContext({ nodeType: new AgentBrain(), items: [{ json: {} }, { json: {} }], parameters }), itemIndex);

function option(name: string) {
	const options = new AgentBrain().description.properties.find((p) => p.name === 'options')!.options as Array<{ name: string; default: unknown }>;
	return options.find((o) => o.name === name)!;
}

describe('Agent Brain item settings', () => {
	it('shows in the panel the defaults the engine falls back to', () => {
		expect(option('maxIterations').default).toBe(DEFAULT_MAX_ITERATIONS);
		expect(option('memoryTurns').default).toBe(DEFAULT_MEMORY_TURNS);
		expect(option('timeoutSeconds').default).toBe(DEFAULT_TIMEOUT_SECONDS);
	});

	it('reads an item with no options added: a 300 s limit, 10 memory turns, the engine\'s iteration limit, no trace markdown', () => {
		const settings = settingsOf({ task: 'Find it', model: 'llama3.1', sessionId: '  user-7 ' });
		expect(settings).toMatchObject({ task: 'Find it', model: 'llama3.1', sessionId: 'user-7', timeoutMs: 300_000, memoryTurns: 10, traceMarkdown: false });
		expect(settings.maxIterations).toBeUndefined();
		expect(settings.outputSchema).toBeUndefined();
		expect(settings.builtInTools).toEqual(['currentDateTime']);
	});

	it('reads the options the user added, a 0 s timeout meaning none', () => {
		const settings = settingsOf({
			task: 'x',
			options: { maxIterations: 4, timeoutSeconds: 0, memoryTurns: 3, tokenBudget: 900, temperature: 0, requireCitations: true, traceMarkdown: true },
		});
		expect(settings).toMatchObject({ maxIterations: 4, timeoutMs: 0, memoryTurns: 3, tokenBudget: 900, temperature: 0, requireCitations: true, traceMarkdown: true });
	});

	it('parses the output schema, given as JSON text or as an object', () => {
		const schema = { type: 'object', properties: { city: { type: 'string' } } };
		expect(settingsOf({ task: 'x', options: { outputSchema: JSON.stringify(schema) } }).outputSchema).toEqual(schema);
		expect(settingsOf({ task: 'x', options: { outputSchema: schema } }).outputSchema).toEqual(schema);
	});

	it.each([
		['not JSON', '{"type": ', /^Output JSON Schema is not valid JSON: /, /e\.g\. \{"type": "object"/],
		['not an object', '[1, 2]', /^Output JSON Schema must be a JSON object$/, /e\.g\. \{"type": "object"/],
		['a $ref loop', '{"$ref": "#"}', /^Output JSON Schema cannot be satisfied: .*refers to itself/, /Make every "\$ref" point at a definition/],
	])('refuses an output schema that is %s as a node error naming the option and the item', (_case, outputSchema, message, description) => {
		const refusal = (() => {
			try {
				settingsOf({ task: 'x', options: { outputSchema } }, 1);
			} catch (error) {
				return error as NodeOperationError;
			}
			throw new Error('the schema was accepted');
		})();
		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toMatch(message);
		expect(refusal.description).toMatch(description);
		expect(refusal.context.itemIndex).toBe(1);
	});
});

describe('Agent Brain output item', () => {
	const result: AgentResult = {
		answer: 'Paris',
		stopReason: 'completed',
		iterations: 1,
		toolCalls: [],
		usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
		citations: [],
		trace: [{ iteration: 0, direction: 'sent', role: 'user', content: 'Capital of France?' }],
		turn: [],
	};

	it('has the trace as JSON, and as markdown when asked', () => {
		expect(resultToJson(result, 'json', '')).toMatchObject({ answer: 'Paris', stopReason: 'completed', trace: result.trace });
		expect(resultToJson(result, 'json', '').traceMarkdown).toBeUndefined();
		expect(resultToJson(result, 'json+markdown', '').traceMarkdown).toMatch(/^# Agent trace\n\n## Setup\n\n### User\n\nCapital of France\?/);
	});

	it('leaves the trace out for a calling agent, and names the session only when there is one', () => {
		const json = resultToJson(result, 'none', 'user-7');
		expect(json.trace).toBeUndefined();
		expect(json.sessionId).toBe('user-7');
		expect('sessionId' in resultToJson(result, 'none', '')).toBe(false);
	});

	it('has data when the answer fit the schema (even null), the errors when not, neither without a schema', () => {
		expect(resultToJson({ ...result, data: null }, 'none', '')).toMatchObject({ data: null });
		expect(resultToJson({ ...result, dataErrors: ['/city is required'] }, 'none', '')).toMatchObject({ dataErrors: ['/city is required'] });
		const plain = resultToJson(result, 'none', '');
		expect('data' in plain || 'dataErrors' in plain || 'unverifiedCitations' in plain).toBe(false);
		expect(resultToJson({ ...result, unverifiedCitations: ['https://x.example'] }, 'none', '').unverifiedCitations).toEqual(['https://x.example']);
	});
});
