// Crawl operation: reads the node's Crawl parameters for one item and runs TavilyClient.crawl.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { TavilyClient } from '../engine/client';
import type { TavilyResponse } from '../engine/output';
import type { ContentFormat, ExtractDepth, TavilyCrawlParams } from '../engine/types';
import { choice, optionalFlag, optionalNumber } from './parse';
import { siteParams } from './map';

export function crawlParams(url: unknown, options: IDataObject): TavilyCrawlParams {
	return {
		...siteParams(url, options),
		extractDepth: choice<ExtractDepth>(options.extractDepth),
		format: choice<ContentFormat>(options.format),
		includeImages: optionalFlag(options, 'includeImages'),
		includeFavicon: optionalFlag(options, 'includeFavicon'),
		chunksPerSource: optionalNumber(options, 'chunksPerSource'),
	};
}

export async function crawl(this: IExecuteFunctions, client: TavilyClient, itemIndex: number): Promise<TavilyResponse> {
	const url = this.getNodeParameter('url', itemIndex, '');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { operation: 'crawl', response: await client.crawl(crawlParams(url, options), this.getExecutionCancelSignal?.()) };
}
