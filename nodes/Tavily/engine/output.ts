// Shapes a Tavily response into output records: one per result, or one holding the whole response.
import type { TavilyCrawlResponse, TavilyExtractResponse, TavilyMapResponse, TavilyResearchResponse, TavilySearchResponse } from './types';

export type OutputMode = 'perResult' | 'response';

export type TavilyResponse =
	| { operation: 'search'; response: TavilySearchResponse }
	| { operation: 'extract'; response: TavilyExtractResponse }
	| { operation: 'crawl'; response: TavilyCrawlResponse }
	| { operation: 'map'; response: TavilyMapResponse }
	| { operation: 'research'; response: TavilyResearchResponse };

/**
 * "perResult": search results, extracted pages (then a `failed: true` record per URL Tavily could not read),
 * crawled pages, or `{ url }` per mapped URL. "response": the response as Tavily sent it, in one record.
 * Research has one result, the report with its sources: one record either way.
 */
export function toOutputRecords(answer: TavilyResponse, mode: OutputMode): Array<Record<string, unknown>> {
	if (mode === 'response') return [{ ...answer.response }];
	switch (answer.operation) {
		case 'search':
			return answer.response.results.map((result) => ({ ...result }));
		case 'extract':
			return [
				...answer.response.results.map((result) => ({ ...result })),
				...answer.response.failed_results.map((failure) => ({ url: failure.url, failed: true, error: failure.error })),
			];
		case 'crawl':
			return answer.response.results.map((result) => ({ ...result }));
		case 'map':
			return answer.response.results.map((url) => ({ url }));
		case 'research':
			return [{ ...answer.response }];
	}
}
