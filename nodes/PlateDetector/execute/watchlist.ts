// The watchlist an item's readings are checked against, from the node's list, a field of the item, or the Watchlist input.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { splitList } from './options';

export interface Watchlist {
	entries: string[];
	/** Largest edit distance counted as a match. */
	maxDistance: number;
}

type WatchlistSource = 'none' | 'list' | 'field' | 'input';

/**
 * The item's watchlist, or undefined when none is set. `watchlistItems` reads the Watchlist input's items
 * (only asked for when that is the source).
 */
export function resolveWatchlist(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	watchlistItems: () => IDataObject[],
): Watchlist | undefined {
	const source = ctx.getNodeParameter('watchlistSource', itemIndex, 'none') as WatchlistSource;
	if (source === 'none') return undefined;
	const maxDistance = ctx.getNodeParameter('watchlistMaxDistance', itemIndex, 1) as number;
	if (source === 'list') return { entries: splitList(ctx.getNodeParameter('watchlist', itemIndex, '')), maxDistance };
	if (source === 'input') {
		const field = ctx.getNodeParameter('watchlistInputField', itemIndex, 'plate') as string;
		return { entries: watchlistItems().flatMap((item) => splitList(item[field])), maxDistance };
	}
	if (source !== 'field') return undefined;
	const field = ctx.getNodeParameter('watchlistField', itemIndex, 'watchlist') as string;
	if (json[field] === undefined) {
		throw new NodeOperationError(ctx.getNode(), `The item has no field "${field}" with watchlist plates`, {
			itemIndex,
			description: 'Set "Watchlist Field" to the field holding the plates, or add that field to the items.',
		});
	}
	return { entries: splitList(json[field]), maxDistance };
}
