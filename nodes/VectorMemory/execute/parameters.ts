// Reading what the node's parameters and input items hold: comma lists, dotted field paths, the Metadata Filter.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

/** A field by its name, or by a dotted path into nested objects when no field has that exact name. */
export function readField(json: IDataObject, path: string): unknown {
	if (path in json) return json[path];
	return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as IDataObject)[key] : undefined), json);
}

export const commaList = (value: string) =>
	value
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);

/** The Metadata Filter as an object, or undefined when empty; the engine checks its fields and operators. */
export function parseFilter(ctx: IExecuteFunctions, itemIndex: number): unknown {
	const raw = ctx.getNodeParameter('filter', itemIndex, '{}') as unknown;
	if (typeof raw !== 'string') return raw && Object.keys(raw as object).length ? raw : undefined;
	if (!raw.trim()) return undefined;
	try {
		const parsed = JSON.parse(raw) as object;
		return parsed && Object.keys(parsed).length ? parsed : undefined;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'Metadata Filter is not valid JSON', {
			itemIndex,
			description: 'Write it as a JSON object, e.g. {"source": "faq", "year": {"$gte": 2020}}.',
		});
	}
}
