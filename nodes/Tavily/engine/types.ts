// Parameters (camelCase) and responses (Tavily's own snake_case shapes) of Tavily's Search, Extract, Crawl and Map endpoints.

export type SearchDepth = 'basic' | 'advanced' | 'fast' | 'ultra-fast';
export type SearchTopic = 'general' | 'news' | 'finance';
export type TimeRange = 'day' | 'week' | 'month' | 'year';
export type ExtractDepth = 'basic' | 'advanced';
export type ContentFormat = 'markdown' | 'text';

export interface TavilySearchParams {
	/** What to search the web for. Required, not blank. */
	query: string;
	/** basic (1 credit), advanced (2 credits, best relevance), fast or ultra-fast (lowest latency). */
	searchDepth?: SearchDepth;
	topic?: SearchTopic;
	/** Only results published within this period before today. */
	timeRange?: TimeRange;
	/** Only for topic "news": results from this many days back. */
	days?: number;
	/** YYYY-MM-DD: only results published on or after this date. */
	startDate?: string;
	/** YYYY-MM-DD: only results published on or before this date. */
	endDate?: string;
	/** 0 to 20 (Tavily's default 5). */
	maxResults?: number;
	/** 1 to 3 snippets per source; applies to searchDepth "advanced". */
	chunksPerSource?: number;
	/** true or "basic" for a short answer, "advanced" for a longer one. */
	includeAnswer?: boolean | 'basic' | 'advanced';
	/** true or "markdown" for each page's cleaned content as markdown, "text" for plain text. */
	includeRawContent?: boolean | ContentFormat;
	includeImages?: boolean;
	/** With includeImages: a description for each image. */
	includeImageDescriptions?: boolean;
	includeDomains?: string[];
	excludeDomains?: string[];
	/** Boost results from this country (full English name in lower case, e.g. "germany"); topic "general" only. */
	country?: string;
	/** Let Tavily choose topic, depth and time range from the query. */
	autoParameters?: boolean;
	includeFavicon?: boolean;
	/** Adds `usage.credits` to the response. */
	includeUsage?: boolean;
}

export interface TavilyExtractParams {
	/** 1 to 20 http(s) URLs. */
	urls: string[];
	extractDepth?: ExtractDepth;
	format?: ContentFormat;
	/** Reranks the extracted chunks by relevance to this intent. */
	query?: string;
	/** 1 to 5 chunks per URL; needs `query`. */
	chunksPerSource?: number;
	includeImages?: boolean;
	includeFavicon?: boolean;
	includeUsage?: boolean;
	/** Seconds Tavily may spend on the extraction, 1 to 60. */
	timeout?: number;
}

interface SiteTraversalParams {
	/** Root URL to start from (http(s); a bare domain such as "docs.tavily.com" is accepted). */
	url: string;
	/** Link hops from the root, 1 to 5. */
	maxDepth?: number;
	/** Links followed per page, 1 to 500. */
	maxBreadth?: number;
	/** Pages processed before stopping, at least 1. */
	limit?: number;
	/** Natural-language focus for the crawler ("only the API reference"). */
	instructions?: string;
	/** Regular expressions a URL path must match (e.g. "/docs/.*"). */
	selectPaths?: string[];
	/** Regular expressions a host must match (e.g. "^docs\\.example\\.com$"). */
	selectDomains?: string[];
	excludePaths?: string[];
	excludeDomains?: string[];
	/** Follow links to other domains. */
	allowExternal?: boolean;
	/** Seconds Tavily may spend, 10 to 150. */
	timeout?: number;
	includeUsage?: boolean;
}

export interface TavilyCrawlParams extends SiteTraversalParams {
	extractDepth?: ExtractDepth;
	format?: ContentFormat;
	includeImages?: boolean;
	includeFavicon?: boolean;
	/** 1 to 5 relevant chunks per page instead of the whole page; needs `instructions`. */
	chunksPerSource?: number;
}

export type TavilyMapParams = SiteTraversalParams;

export interface TavilyUsage {
	credits: number;
}

export interface TavilyImage {
	url: string;
	description?: string;
}

export interface TavilySearchResult {
	title: string;
	url: string;
	content: string;
	score: number;
	raw_content?: string | null;
	favicon?: string;
	published_date?: string;
	[key: string]: unknown;
}

export interface TavilySearchResponse {
	query: string;
	answer?: string | null;
	/** URLs, or {url, description} when image descriptions were asked for. */
	images: Array<string | TavilyImage>;
	results: TavilySearchResult[];
	auto_parameters?: Record<string, unknown>;
	follow_up_questions?: string[] | null;
	response_time: number | string;
	usage?: TavilyUsage;
	request_id?: string;
	[key: string]: unknown;
}

export interface TavilyExtractResult {
	url: string;
	raw_content: string;
	images?: string[];
	favicon?: string;
	[key: string]: unknown;
}

export interface TavilyExtractResponse {
	results: TavilyExtractResult[];
	failed_results: Array<{ url: string; error: string }>;
	response_time: number | string;
	usage?: TavilyUsage;
	request_id?: string;
	[key: string]: unknown;
}

export interface TavilyCrawlResponse {
	base_url: string;
	results: TavilyExtractResult[];
	response_time: number | string;
	usage?: TavilyUsage;
	request_id?: string;
	[key: string]: unknown;
}

export interface TavilyMapResponse {
	base_url: string;
	results: string[];
	response_time: number | string;
	usage?: TavilyUsage;
	request_id?: string;
	[key: string]: unknown;
}

/** Tavily POST /research: a research task Tavily runs on its side, searching and reading until it can write a cited report. */
export interface TavilyResearchParams {
	/** The research task or question. */
	input: string;
	/** mini: quick and focused; pro: many searches, for comparisons and broad topics; auto (Tavily's default): Tavily picks. */
	model?: 'mini' | 'pro' | 'auto';
	/** How the report cites its sources (Tavily's default: numbered). */
	citationFormat?: 'numbered' | 'mla' | 'apa' | 'chicago';
	/** A JSON Schema: the report comes back as an object of that shape instead of markdown. */
	outputSchema?: Record<string, unknown>;
}

export interface TavilyResearchSource {
	title?: string;
	url: string;
	favicon?: string;
	[key: string]: unknown;
}

/** GET /research/{request_id} once the task is done. */
export interface TavilyResearchResponse {
	request_id: string;
	created_at?: string;
	status: 'completed';
	/** The report: markdown, or an object of the output schema. */
	content: string | Record<string, unknown>;
	sources: TavilyResearchSource[];
	response_time?: number | string;
	[key: string]: unknown;
}
