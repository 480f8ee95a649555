// Map operation: reads the node's Map parameters for one item and runs TavilyClient.map.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { TavilyClient } from '../engine/client';
import type { TavilyResponse } from '../engine/output';
import type { TavilyMapParams } from '../engine/types';
import { lineList, optionalFlag, optionalNumber, optionalText } from './parse';

/** The options Crawl shares with Map. */
export function siteParams(url: unknown, options: IDataObject): TavilyMapParams {
	return {
		url: typeof url === 'string' ? url : String(url ?? ''),
		maxDepth: optionalNumber(options, 'maxDepth'),
		maxBreadth: optionalNumber(options, 'maxBreadth'),
		limit: optionalNumber(options, 'limit'),
		instructions: optionalText(options, 'instructions'),
		selectPaths: lineList(options.selectPaths),
		selectDomains: lineList(options.selectDomains),
		excludePaths: lineList(options.excludePaths),
		excludeDomains: lineList(options.excludeDomains),
		allowExternal: optionalFlag(options, 'allowExternal'),
		timeout: optionalNumber(options, 'timeout'),
		includeUsage: optionalFlag(options, 'includeUsage'),
	};
}

export async function map(this: IExecuteFunctions, client: TavilyClient, itemIndex: number): Promise<TavilyResponse> {
	const url = this.getNodeParameter('url', itemIndex, '');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { operation: 'map', response: await client.map(siteParams(url, options), this.getExecutionCancelSignal?.()) };
}
