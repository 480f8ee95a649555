// Turns engine failures into the errors n8n shows, and into Continue On Fail items that n8n can route to an error output.
import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type ISupplyDataFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { isAgenticError, redactSecrets } from './errors';

export type NodeError = NodeApiError | NodeOperationError;

// n8n replaces a message that mentions one of these codes with a generic text naming no service.
const NETWORK_CODE = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|ECONNABORTED|EHOSTUNREACH|EAI_AGAIN|EADDRNOTAVAIL)\b/;

/**
 * Maps an error to NodeApiError (a service answered or could not be reached) or NodeOperationError
 * (something the user can fix in the node), with every secret removed from its texts.
 */
export function toNodeError(
	ctx: IExecuteFunctions | ISupplyDataFunctions,
	error: unknown,
	itemIndex: number,
	secrets: Array<string | undefined> = [],
): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const clean = (text: string | undefined) => (text === undefined ? undefined : redactSecrets(text, secrets));
	if (!isAgenticError(error)) {
		const message = clean((error as Error)?.message) || String(error);
		return new NodeOperationError(ctx.getNode(), message, { itemIndex });
	}
	let message = clean(error.message) ?? 'The operation failed';
	let description = clean(error.description);
	const cut = message.indexOf(': ');
	if (error.kind === 'upstream' && error.httpStatus === undefined && cut > 0 && NETWORK_CODE.test(message)) {
		// Keep "<Service> could not be reached" as the message; the network detail goes to the description.
		description = `${message.slice(cut + 2)}. ${description ?? ''}`.trim();
		message = message.slice(0, cut);
	}
	const fromService = ['auth', 'rate_limited', 'upstream', 'not_found'].includes(error.kind) || error.httpStatus !== undefined;
	if (!fromService) return new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
	return new NodeApiError(ctx.getNode(), { message, description: description ?? null } as JsonObject, {
		message,
		description,
		httpCode: error.httpStatus === undefined ? undefined : String(error.httpStatus),
		itemIndex,
	});
}

/**
 * The item a failing input item becomes under Continue On Fail: `error` (and `errorDescription`) in its JSON,
 * and the error itself on the item, which is what sends it down the node's error output when that is chosen.
 */
export function errorItem(nodeError: NodeError, itemIndex: number | number[]): INodeExecutionData {
	const indexes = Array.isArray(itemIndex) ? itemIndex : [itemIndex];
	return {
		json: { error: nodeError.message, ...(nodeError.description ? { errorDescription: nodeError.description } : {}) },
		error: nodeError,
		pairedItem: indexes.length === 1 ? { item: indexes[0] } : indexes.map((item) => ({ item })),
	};
}
