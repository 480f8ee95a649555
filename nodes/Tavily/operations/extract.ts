// Extract operation: reads the node's Extract parameters for one item and runs TavilyClient.extract.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { TavilyClient } from '../engine/client';
import type { TavilyResponse } from '../engine/output';
import type { ContentFormat, ExtractDepth, TavilyExtractParams } from '../engine/types';
import { choice, optionalFlag, optionalNumber, optionalText, urlList } from './parse';

export function extractParams(urls: unknown, options: IDataObject): TavilyExtractParams {
	return {
		urls: urlList(urls),
		extractDepth: choice<ExtractDepth>(options.extractDepth),
		format: choice<ContentFormat>(options.format),
		query: optionalText(options, 'query'),
		chunksPerSource: optionalNumber(options, 'chunksPerSource'),
		includeImages: optionalFlag(options, 'includeImages'),
		includeFavicon: optionalFlag(options, 'includeFavicon'),
		includeUsage: optionalFlag(options, 'includeUsage'),
		timeout: optionalNumber(options, 'timeout'),
	};
}

export async function extract(this: IExecuteFunctions, client: TavilyClient, itemIndex: number): Promise<TavilyResponse> {
	const urls = this.getNodeParameter('urls', itemIndex, '');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { operation: 'extract', response: await client.extract(extractParams(urls, options), this.getExecutionCancelSignal?.()) };
}
