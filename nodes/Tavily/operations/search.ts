// Search operation: reads the node's Search parameters for one item and runs TavilyClient.search.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { TavilyClient } from '../engine/client';
import type { TavilyResponse } from '../engine/output';
import type { SearchDepth, SearchTopic, TavilySearchParams, TimeRange } from '../engine/types';
import { choice, commaList, optionalFlag, optionalNumber, optionalText } from './parse';

export function searchParams(query: unknown, options: IDataObject): TavilySearchParams {
	return {
		query: typeof query === 'string' ? query : String(query ?? ''),
		searchDepth: choice<SearchDepth>(options.searchDepth),
		topic: choice<SearchTopic>(options.topic),
		timeRange: choice<TimeRange>(options.timeRange),
		days: optionalNumber(options, 'days'),
		startDate: optionalText(options, 'startDate'),
		endDate: optionalText(options, 'endDate'),
		maxResults: optionalNumber(options, 'maxResults'),
		chunksPerSource: optionalNumber(options, 'chunksPerSource'),
		includeAnswer: choice<'basic' | 'advanced'>(options.includeAnswer),
		includeRawContent: choice<'markdown' | 'text'>(options.includeRawContent),
		includeImages: optionalFlag(options, 'includeImages'),
		includeImageDescriptions: optionalFlag(options, 'includeImageDescriptions'),
		includeDomains: commaList(options.includeDomains),
		excludeDomains: commaList(options.excludeDomains),
		country: optionalText(options, 'country'),
		autoParameters: optionalFlag(options, 'autoParameters'),
		includeFavicon: optionalFlag(options, 'includeFavicon'),
		includeUsage: optionalFlag(options, 'includeUsage'),
	};
}

export async function search(this: IExecuteFunctions, client: TavilyClient, itemIndex: number): Promise<TavilyResponse> {
	const query = this.getNodeParameter('query', itemIndex, '');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { operation: 'search', response: await client.search(searchParams(query, options), this.getExecutionCancelSignal?.()) };
}
