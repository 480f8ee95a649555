// JSON Schema for tool arguments and structured answers: a small validator, and a converter from zod schemas (v3 and v4) read duck-typed.
import type { JsonSchema } from './types';

const MAX_SCHEMA_DEPTH = 200;
const SCHEMA_LOOP = 'the schema refers to itself without end ($ref or allOf loop)';

/** Problems with a schema itself that no value could satisfy: today, a $ref/allOf loop. */
export function schemaProblems(schema: JsonSchema): string[] {
	for (const sample of [{}, [], '', 0, null]) {
		const loop = validateJsonSchema(sample, schema).find((problem) => problem.endsWith(SCHEMA_LOOP));
		if (loop) return [loop];
	}
	return [];
}

/**
 * Checks a value against the JSON Schema keywords tools and answer schemas use (type, properties, required,
 * additionalProperties, items, enum, const, bounds, lengths, pattern, anyOf/oneOf/allOf, local $ref).
 * Returns readable problems ("/query must be string"); empty when the value fits.
 */
export function validateJsonSchema(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = '', depth = 0): string[] {
	if (schema === null || typeof schema !== 'object') return [];
	const at = path || '(root)';
	// A $ref or allOf that leads back to itself without going into the value would never end.
	if (depth > MAX_SCHEMA_DEPTH) return [`${at}: ${SCHEMA_LOOP}`];
	if (typeof schema.$ref === 'string') {
		const target = resolveRef(root, schema.$ref);
		return target ? validateJsonSchema(value, target, root, path, depth + 1) : [];
	}
	const errors: string[] = [];
	const types = schemaTypes(schema);
	if (types.length > 0 && !types.some((t) => hasType(value, t))) {
		return [`${at} must be ${types.join(' or ')}`];
	}
	if (Array.isArray(schema.enum) && !schema.enum.some((option) => deepEqual(option, value))) {
		errors.push(`${at} must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`);
	}
	if ('const' in schema && !deepEqual(schema.const, value)) errors.push(`${at} must be ${JSON.stringify(schema.const)}`);
	if (typeof value === 'number') {
		if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at} must be >= ${schema.minimum}`);
		if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at} must be <= ${schema.maximum}`);
		if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) errors.push(`${at} must be > ${schema.exclusiveMinimum}`);
		if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) errors.push(`${at} must be < ${schema.exclusiveMaximum}`);
	}
	if (typeof value === 'string') {
		const length = Array.from(value).length;
		if (typeof schema.minLength === 'number' && length < schema.minLength) errors.push(`${at} must have at least ${schema.minLength} characters`);
		if (typeof schema.maxLength === 'number' && length > schema.maxLength) errors.push(`${at} must have at most ${schema.maxLength} characters`);
		if (typeof schema.pattern === 'string') {
			try {
				if (!new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at} must match ${schema.pattern}`);
			} catch {
				// A pattern JavaScript cannot compile constrains nothing we can check.
			}
		}
	}
	if (Array.isArray(value)) {
		if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${at} must have at least ${schema.minItems} items`);
		if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${at} must have at most ${schema.maxItems} items`);
		if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
			value.forEach((item, i) => errors.push(...validateJsonSchema(item, schema.items as JsonSchema, root, `${path}/${i}`, depth + 1)));
		}
	}
	if (isPlainObject(value)) {
		const properties = (isPlainObject(schema.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
		if (Array.isArray(schema.required)) {
			for (const key of schema.required as string[]) {
				if (!(key in value) || value[key] === undefined) errors.push(`${path}/${key} is required`);
			}
		}
		for (const [key, child] of Object.entries(value)) {
			if (key in properties) errors.push(...validateJsonSchema(child, properties[key], root, `${path}/${key}`, depth + 1));
			else if (schema.additionalProperties === false) errors.push(`${path}/${key} is not an allowed property`);
			else if (isPlainObject(schema.additionalProperties)) {
				errors.push(...validateJsonSchema(child, schema.additionalProperties as JsonSchema, root, `${path}/${key}`, depth + 1));
			}
		}
	}
	if (Array.isArray(schema.allOf)) {
		for (const sub of schema.allOf as JsonSchema[]) errors.push(...validateJsonSchema(value, sub, root, path, depth + 1));
	}
	for (const keyword of ['anyOf', 'oneOf'] as const) {
		const options = schema[keyword];
		if (!Array.isArray(options) || options.length === 0) continue;
		const results = (options as JsonSchema[]).map((sub) => validateJsonSchema(value, sub, root, path, depth + 1));
		const fitting = results.filter((r) => r.length === 0).length;
		if (fitting === 0) errors.push(`${at} must match one of the allowed shapes (${results.map((r) => r[0]).join('; ')})`);
		else if (keyword === 'oneOf' && fitting > 1) errors.push(`${at} must match exactly one of the allowed shapes`);
	}
	return errors;
}

function schemaTypes(schema: JsonSchema): string[] {
	const type = schema.type;
	const list = Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
	if (list.length > 0 && schema.nullable === true && !list.includes('null')) list.push('null');
	return list;
}

function hasType(value: unknown, type: string): boolean {
	switch (type) {
		case 'string':
			return typeof value === 'string';
		case 'number':
			return typeof value === 'number' && Number.isFinite(value);
		case 'integer':
			return typeof value === 'number' && Number.isInteger(value);
		case 'boolean':
			return typeof value === 'boolean';
		case 'null':
			return value === null;
		case 'array':
			return Array.isArray(value);
		case 'object':
			return isPlainObject(value);
		default:
			return true;
	}
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
	if (!ref.startsWith('#')) return undefined;
	let node: unknown = root;
	for (const raw of ref.slice(1).split('/').filter(Boolean)) {
		const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
		if (!node || typeof node !== 'object') return undefined;
		node = (node as Record<string, unknown>)[key];
	}
	return node && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const ka = Object.keys(a as object);
	const kb = Object.keys(b as object);
	if (ka.length !== kb.length) return false;
	return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The same JSON text for equal values whatever their key order: how repeated tool calls are recognised. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isPlainObject(value)) {
		const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
		return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

const EMPTY_OBJECT_SCHEMA: JsonSchema = { type: 'object', properties: {} };

/**
 * JSON Schema for a tool's input schema, which n8n's tools give as zod (v3 `_def.typeName`, v4 `_zod.def.type`)
 * or already as JSON Schema. Read duck-typed: the zod instance belongs to n8n, not to this package.
 */
export function toolSchemaToJsonSchema(schema: unknown): JsonSchema {
	if (!schema || typeof schema !== 'object') return { ...EMPTY_OBJECT_SCHEMA };
	const converted = isZod(schema) ? zodToJsonSchema(schema) : (schema as JsonSchema);
	// Function parameters must be an object; a bare schema becomes the single field "input".
	if (converted.type === 'object') return converted.properties ? converted : { ...converted, properties: {} };
	return { type: 'object', properties: { input: converted }, required: ['input'] };
}

function isZod(schema: object): boolean {
	return '_zod' in schema || ('_def' in schema && typeof (schema as { _def?: unknown })._def === 'object');
}

/** A zod definition, read field by field: nothing about its shape is taken on trust. */
type ZodDef = Record<string, unknown>;

/** The object itself, or an empty one for anything that is not an object. */
function fields(value: unknown): Record<string, unknown> {
	return isPlainObject(value) ? value : {};
}

function list(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

/** A definition's function-valued field (zod's lazy shape, getter, default), called as zod calls it. */
function callField(def: ZodDef, key: string): unknown {
	const field = def[key];
	return typeof field === 'function' ? (field as (this: ZodDef) => unknown).call(def) : field;
}

/** v3 keeps the definition in `_def`, v4 in `_zod.def` (v4 also has `_def`, so it is looked at first). */
export function zodToJsonSchema(schema: unknown): JsonSchema {
	const z = fields(schema);
	const v4 = fields(z._zod).def;
	if (isPlainObject(v4)) return withDescription(fromZod4(v4), z.description);
	if (isPlainObject(z._def)) return withDescription(fromZod3(z._def), z._def.description ?? z.description);
	return {};
}

function withDescription(json: JsonSchema, description: unknown): JsonSchema {
	return typeof description === 'string' && description !== '' && json.description === undefined ? { ...json, description } : json;
}

function isOptional3(def: ZodDef): boolean {
	return def.typeName === 'ZodOptional' || def.typeName === 'ZodDefault' || (def.typeName === 'ZodEffects' && isOptional3(fields(fields(def.schema)._def)));
}

function checks(value: unknown): ZodDef[] {
	return list(value).map(fields);
}

const STRING_FORMATS = ['email', 'url', 'uuid', 'datetime', 'date', 'time'];

function fromZod3(def: ZodDef): JsonSchema {
	switch (def.typeName) {
		case 'ZodString': {
			const out: JsonSchema = { type: 'string' };
			for (const c of checks(def.checks)) {
				if (c.kind === 'min') out.minLength = c.value;
				else if (c.kind === 'max') out.maxLength = c.value;
				else if (c.kind === 'length') out.minLength = out.maxLength = c.value;
				else if (c.kind === 'regex' && c.regex instanceof RegExp) out.pattern = c.regex.source;
				else if (typeof c.kind === 'string' && STRING_FORMATS.includes(c.kind)) out.format = c.kind === 'url' ? 'uri' : c.kind === 'datetime' ? 'date-time' : c.kind;
			}
			return out;
		}
		case 'ZodNumber': {
			const out: JsonSchema = { type: 'number' };
			for (const c of checks(def.checks)) {
				if (c.kind === 'int') out.type = 'integer';
				else if (c.kind === 'min') out[c.inclusive === false ? 'exclusiveMinimum' : 'minimum'] = c.value;
				else if (c.kind === 'max') out[c.inclusive === false ? 'exclusiveMaximum' : 'maximum'] = c.value;
			}
			return out;
		}
		case 'ZodBigInt':
			return { type: 'integer' };
		case 'ZodBoolean':
			return { type: 'boolean' };
		case 'ZodDate':
			return { type: 'string', format: 'date-time' };
		case 'ZodNull':
			return { type: 'null' };
		case 'ZodLiteral':
			return { const: def.value, type: typeof def.value === 'number' ? 'number' : typeof def.value };
		case 'ZodEnum':
			return { type: 'string', enum: [...list(def.values)] };
		case 'ZodNativeEnum': {
			// A numeric enum maps names to numbers and numbers back to names: only the values are kept.
			const values = fields(def.values);
			return { enum: Object.values(values).filter((v) => typeof values[String(v)] !== 'number') };
		}
		case 'ZodArray': {
			const out: JsonSchema = { type: 'array', items: zodToJsonSchema(def.type) };
			if (fields(def.minLength).value !== undefined) out.minItems = fields(def.minLength).value;
			if (fields(def.maxLength).value !== undefined) out.maxItems = fields(def.maxLength).value;
			return out;
		}
		case 'ZodTuple':
			return { type: 'array', items: { anyOf: list(def.items).map(zodToJsonSchema) }, minItems: list(def.items).length };
		case 'ZodSet':
			return { type: 'array', items: zodToJsonSchema(def.valueType), uniqueItems: true };
		case 'ZodObject': {
			const properties: Record<string, JsonSchema> = {};
			const required: string[] = [];
			for (const [key, child] of Object.entries(fields(callField(def, 'shape')))) {
				properties[key] = zodToJsonSchema(child);
				if (!isOptional3(fields(fields(child)._def))) required.push(key);
			}
			const out: JsonSchema = { type: 'object', properties };
			if (required.length > 0) out.required = required;
			const catchall = fields(fields(def.catchall)._def).typeName;
			if (def.unknownKeys === 'strict') out.additionalProperties = false;
			else if (catchall && catchall !== 'ZodNever') out.additionalProperties = zodToJsonSchema(def.catchall);
			return out;
		}
		case 'ZodRecord':
			return { type: 'object', additionalProperties: zodToJsonSchema(def.valueType) };
		case 'ZodMap':
			return { type: 'object' };
		case 'ZodUnion':
		case 'ZodDiscriminatedUnion': {
			const options = def.options instanceof Map ? Array.from(def.options.values()) : list(def.options);
			return { anyOf: options.map(zodToJsonSchema) };
		}
		case 'ZodIntersection':
			return { allOf: [zodToJsonSchema(def.left), zodToJsonSchema(def.right)] };
		case 'ZodOptional':
			return zodToJsonSchema(def.innerType);
		case 'ZodNullable': {
			const inner = zodToJsonSchema(def.innerType);
			return { anyOf: [inner, { type: 'null' }] };
		}
		case 'ZodDefault':
			return { ...zodToJsonSchema(def.innerType), default: callField(def, 'defaultValue') };
		case 'ZodEffects':
			return zodToJsonSchema(def.schema);
		case 'ZodLazy':
			return typeof def.getter === 'function' ? zodToJsonSchema(callField(def, 'getter')) : {};
		case 'ZodBranded':
		case 'ZodCatch':
		case 'ZodReadonly':
			return zodToJsonSchema(def.type ?? def.innerType);
		case 'ZodPipeline':
			return zodToJsonSchema(def.in);
		default:
			return {};
	}
}

function isOptional4(schema: unknown): boolean {
	const zod = fields(fields(schema)._zod);
	const def = zod.def;
	if (!isPlainObject(def)) return false;
	return def.type === 'optional' || def.type === 'default' || zod.optin === 'optional';
}

/** A v4 check's own definition (`check._zod.def`). */
function checkDefs(value: unknown): ZodDef[] {
	return list(value).map((check) => fields(fields(fields(check)._zod).def));
}

function fromZod4(def: ZodDef): JsonSchema {
	switch (def.type) {
		case 'string': {
			const out: JsonSchema = { type: 'string' };
			for (const c of checkDefs(def.checks)) {
				if (c.check === 'min_length') out.minLength = c.minimum;
				else if (c.check === 'max_length') out.maxLength = c.maximum;
				else if (c.check === 'length_equals') out.minLength = out.maxLength = c.length;
				else if (c.check === 'string_format' && c.pattern instanceof RegExp && c.format === 'regex') out.pattern = c.pattern.source;
			}
			return out;
		}
		case 'number':
		case 'int': {
			const out: JsonSchema = { type: def.type === 'int' ? 'integer' : 'number' };
			for (const c of checkDefs(def.checks)) {
				if (c.check === 'number_format' && String(c.format).includes('int')) out.type = 'integer';
				else if (c.check === 'greater_than') out[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = Number(c.value);
				else if (c.check === 'less_than') out[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = Number(c.value);
			}
			return out;
		}
		case 'bigint':
			return { type: 'integer' };
		case 'boolean':
			return { type: 'boolean' };
		case 'date':
			return { type: 'string', format: 'date-time' };
		case 'null':
			return { type: 'null' };
		case 'literal': {
			const values = list(def.values);
			return values.length === 1 ? { const: values[0] } : { enum: values };
		}
		case 'enum':
			return { enum: Object.values(fields(def.entries)) };
		case 'array':
			return { type: 'array', items: zodToJsonSchema(def.element) };
		case 'tuple':
			return { type: 'array', items: { anyOf: list(def.items).map(zodToJsonSchema) } };
		case 'set':
			return { type: 'array', items: zodToJsonSchema(def.valueType), uniqueItems: true };
		case 'object': {
			const properties: Record<string, JsonSchema> = {};
			const required: string[] = [];
			for (const [key, child] of Object.entries(fields(def.shape))) {
				properties[key] = zodToJsonSchema(child);
				if (!isOptional4(child)) required.push(key);
			}
			const out: JsonSchema = { type: 'object', properties };
			if (required.length > 0) out.required = required;
			const catchall = fields(fields(fields(def.catchall)._zod).def).type;
			if (catchall === 'never') out.additionalProperties = false;
			else if (catchall && catchall !== 'unknown') out.additionalProperties = zodToJsonSchema(def.catchall);
			return out;
		}
		case 'record':
			return { type: 'object', additionalProperties: zodToJsonSchema(def.valueType) };
		case 'union':
			return { anyOf: list(def.options).map(zodToJsonSchema) };
		case 'intersection':
			return { allOf: [zodToJsonSchema(def.left), zodToJsonSchema(def.right)] };
		case 'optional':
		case 'nonoptional':
		case 'readonly':
		case 'catch':
			return zodToJsonSchema(def.innerType);
		case 'nullable':
			return { anyOf: [zodToJsonSchema(def.innerType), { type: 'null' }] };
		case 'default':
			return { ...zodToJsonSchema(def.innerType), default: callField(def, 'defaultValue') };
		case 'pipe':
			return zodToJsonSchema(def.in);
		case 'lazy':
			return typeof def.getter === 'function' ? zodToJsonSchema(callField(def, 'getter')) : {};
		default:
			return {};
	}
}
