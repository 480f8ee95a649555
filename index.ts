// Programmatic entry: the engines behind the nodes, usable without n8n.
export * from './nodes/shared/errors';
export * from './nodes/shared/http';
export { TavilyClient, TAVILY_DEFAULT_BASE_URL, TAVILY_CREDENTIAL_NAME, type TavilyClientOptions } from './nodes/Tavily/engine/client';
export type {
	TavilySearchParams,
	TavilySearchResponse,
	TavilySearchResult,
	TavilyExtractParams,
	TavilyExtractResponse,
	TavilyExtractResult,
	TavilyCrawlParams,
	TavilyCrawlResponse,
	TavilyMapParams,
	TavilyMapResponse,
} from './nodes/Tavily/engine/types';
