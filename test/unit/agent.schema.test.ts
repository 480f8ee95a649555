// Tool schemas from n8n's zod tools become JSON Schema, and arguments are checked against it before a tool runs.
import { z } from 'zod';
import * as z4 from 'zod/v4';
import { toolSchemaToJsonSchema, validateJsonSchema } from '../../nodes/AgentBrain/engine/schema';
import { flattenTools, fromInvokableTool } from '../../nodes/AgentBrain/engine/tools';

describe('tool schemas', () => {
	it('converts a zod v3 object schema with the field kinds tools use', () => {
		const schema = z.object({
			query: z.string().min(1).describe('what to look for'),
			limit: z.number().int().max(20).optional(),
			mode: z.enum(['fast', 'deep']).default('fast'),
			tags: z.array(z.string()),
			note: z.string().nullable(),
		});
		const json = toolSchemaToJsonSchema(schema);
		expect(json).toEqual({
			type: 'object',
			properties: {
				query: { type: 'string', minLength: 1, description: 'what to look for' },
				limit: { type: 'integer', maximum: 20 },
				mode: { type: 'string', enum: ['fast', 'deep'], default: 'fast' },
				tags: { type: 'array', items: { type: 'string' } },
				note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
			},
			required: ['query', 'tags', 'note'],
		});
		expect(validateJsonSchema({ query: 'x', tags: [], note: null }, json)).toEqual([]);
		const errors = validateJsonSchema({ query: '', tags: ['a', 3], limit: 1.5, mode: 'slow' }, json);
		expect(errors.sort()).toEqual(
			['/limit must be integer', '/mode must be one of "fast", "deep"', '/note is required', '/query must have at least 1 characters', '/tags/1 must be string'].sort(),
		);
	});

	it('converts the schema of a plain DynamicTool (an object with an optional input, transformed)', () => {
		const schema = z.object({ input: z.string().optional() }).transform((o) => o.input);
		expect(toolSchemaToJsonSchema(schema)).toEqual({ type: 'object', properties: { input: { type: 'string' } } });
	});

	it('converts a zod v4 schema', () => {
		const schema = z4.object({ city: z4.string(), days: z4.number().int().optional(), unit: z4.enum(['c', 'f']) });
		const json = toolSchemaToJsonSchema(schema);
		expect(json).toMatchObject({
			type: 'object',
			properties: { city: { type: 'string' }, days: { type: 'integer' }, unit: { enum: ['c', 'f'] } },
			required: ['city', 'unit'],
		});
	});

	it('passes a JSON Schema through and wraps a non-object schema as the field "input"', () => {
		const schema = { type: 'object', properties: { a: { type: 'number' } } };
		expect(toolSchemaToJsonSchema(schema)).toBe(schema);
		expect(toolSchemaToJsonSchema(z.string())).toEqual({ type: 'object', properties: { input: { type: 'string' } }, required: ['input'] });
	});

	it('validates refs, unions and additional properties', () => {
		const schema = {
			type: 'object',
			$defs: { id: { type: 'string', pattern: '^[a-z]+$' } },
			properties: { id: { $ref: '#/$defs/id' }, v: { anyOf: [{ type: 'number' }, { type: 'boolean' }] } },
			additionalProperties: false,
		};
		expect(validateJsonSchema({ id: 'abc', v: true }, schema)).toEqual([]);
		const errors = validateJsonSchema({ id: 'ABC', v: 'x', extra: 1 }, schema);
		expect(errors).toEqual(['/id must match ^[a-z]+$', expect.stringMatching(/^\/v must match one of the allowed shapes/), '/extra is not an allowed property']);
	});

	it('flattens toolkits and invokes tools with the checked arguments', async () => {
		const seen: unknown[] = [];
		const tool = { name: 'add', description: 'adds', schema: z.object({ a: z.number(), b: z.number() }), invoke: async (args: { a: number; b: number }) => (seen.push(args), String(args.a + args.b)) };
		const toolkit = { getTools: () => [tool, { ...tool, name: 'add2' }] };
		const tools = flattenTools([toolkit, [{ ...tool, name: 'add3' }], null]);
		expect(tools.map((t) => t.name)).toEqual(['add', 'add2', 'add3']);
		const agentTool = fromInvokableTool(tools[0]);
		expect(agentTool.parameters).toEqual({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
		expect(await agentTool.run({ a: 2, b: 3 }, { signal: new AbortController().signal })).toBe('5');
		expect(seen).toEqual([{ a: 2, b: 3 }]);
	});
});
