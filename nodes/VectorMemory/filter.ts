// Metadata filters: validation with errors naming the field, and the in-process matcher the embedded store uses.
import { AgenticError } from '../shared/errors';
import type { FieldCondition, Metadata, MetadataFilter, MetadataValue } from './types';

const OPERATORS = new Set(['$eq', '$in', '$gt', '$gte', '$lt', '$lte']);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function isScalar(value: unknown): value is MetadataValue {
	return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function invalid(field: string, why: string): AgenticError {
	return new AgenticError('invalid_input', `Invalid filter on field "${field}": ${why}`, {
		field,
		description:
			'Write the filter as JSON: {"field": value} for equality, {"field": {"$in": [a, b]}}, or {"field": {"$gte": 1, "$lt": 5}} for a numeric range.',
	});
}

/** Throws AgenticError('invalid_input') naming the first bad field; returns the filter unchanged. */
export function validateFilter(filter: unknown): MetadataFilter | undefined {
	if (filter === undefined || filter === null) return undefined;
	if (typeof filter !== 'object' || Array.isArray(filter)) throw invalid('(filter)', 'the filter must be a JSON object');
	for (const [field, condition] of Object.entries(filter as Record<string, unknown>)) {
		if (!FIELD_NAME.test(field)) throw invalid(field, 'field names use letters, digits, "_", "." or "-"');
		if (isScalar(condition)) continue;
		if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
			throw invalid(field, 'expected a string, number, boolean or an operator object');
		}
		const entries = Object.entries(condition as Record<string, unknown>);
		if (entries.length === 0) throw invalid(field, 'the operator object is empty');
		for (const [op, value] of entries) {
			if (!OPERATORS.has(op)) throw invalid(field, `unknown operator "${op}" (use $eq, $in, $gt, $gte, $lt, $lte)`);
			if (op === '$eq' && !isScalar(value)) throw invalid(field, '$eq needs a string, number or boolean');
			if (op === '$in' && (!Array.isArray(value) || value.length === 0 || !value.every(isScalar))) {
				throw invalid(field, '$in needs a non-empty list of strings, numbers or booleans');
			}
			if (['$gt', '$gte', '$lt', '$lte'].includes(op) && !(typeof value === 'number' && Number.isFinite(value))) {
				throw invalid(field, `${op} needs a number`);
			}
		}
	}
	return filter as MetadataFilter;
}

/** Splits a condition into the operators it uses (a plain value means $eq). */
export function conditionOperators(condition: FieldCondition): Exclude<FieldCondition, MetadataValue> {
	return isScalar(condition) ? { $eq: condition } : condition;
}

export function matchesFilter(metadata: Metadata, filter: MetadataFilter | undefined): boolean {
	if (!filter) return true;
	for (const [field, condition] of Object.entries(filter)) {
		const value = metadata[field];
		const ops = conditionOperators(condition);
		if (ops.$eq !== undefined && value !== ops.$eq) return false;
		if (ops.$in !== undefined && !ops.$in.includes(value as MetadataValue)) return false;
		if (ops.$gt !== undefined || ops.$gte !== undefined || ops.$lt !== undefined || ops.$lte !== undefined) {
			if (typeof value !== 'number') return false;
			if (ops.$gt !== undefined && !(value > ops.$gt)) return false;
			if (ops.$gte !== undefined && !(value >= ops.$gte)) return false;
			if (ops.$lt !== undefined && !(value < ops.$lt)) return false;
			if (ops.$lte !== undefined && !(value <= ops.$lte)) return false;
		}
	}
	return true;
}
