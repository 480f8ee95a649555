// Checks camelCase parameters and turns them into the snake_case JSON bodies Tavily's endpoints take, before any request.
import { AgenticError } from '../../shared/errors';
import type {
	TavilyCrawlParams,
	TavilyExtractParams,
	TavilyMapParams,
	TavilySearchParams,
} from './types';

export const MAX_EXTRACT_URLS = 20;

type Body = Record<string, unknown>;

function invalid(field: string, message: string, description: string): AgenticError {
	return new AgenticError('invalid_input', message, { field, description });
}

function oneOf<T extends string>(field: string, value: T | undefined, allowed: readonly T[]): T | undefined {
	if (value === undefined) return undefined;
	if (!allowed.includes(value)) {
		throw invalid(field, `${field} must be one of ${allowed.join(', ')} (got "${String(value)}")`, `Pick one of: ${allowed.join(', ')}.`);
	}
	return value;
}

function integer(field: string, value: number | undefined, min: number, max?: number): number | undefined {
	if (value === undefined) return undefined;
	const tooHigh = max !== undefined && value > max;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || tooHigh) {
		const range = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
		throw invalid(field, `${field} must be ${range} (got ${String(value)})`, `Set ${field} to ${range}.`);
	}
	return value;
}

function text(field: string, value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw invalid(field, `${field} must be text`, `Give ${field} as text.`);
	const trimmed = value.trim();
	return trimmed === '' ? undefined : trimmed;
}

function list(field: string, value: string[] | undefined): string[] | undefined {
	if (value === undefined) return undefined;
	if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
		throw invalid(field, `${field} must be a list of texts`, `Give ${field} as a list of texts.`);
	}
	const cleaned = value.map((entry) => entry.trim()).filter((entry) => entry !== '');
	return cleaned.length === 0 ? undefined : cleaned;
}

function isoDate(field: string, value: string | undefined): string | undefined {
	const date = text(field, value);
	if (date === undefined) return undefined;
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
	const parsed = match ? new Date(`${date}T00:00:00Z`) : undefined;
	if (!match || !parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
		throw invalid(field, `${field} must be a date written YYYY-MM-DD (got "${date}")`, `Write ${field} as YYYY-MM-DD, e.g. 2025-01-31.`);
	}
	return date;
}

/**
 * Accepts http(s) URLs and bare host names ("docs.tavily.com/page", which Tavily reads as https).
 * Rejects anything else, so a typo costs no request and no credit.
 */
export function checkUrl(field: string, value: unknown): string {
	const raw = typeof value === 'string' ? value.trim() : '';
	const problem = () =>
		invalid(field, `${field} has an invalid URL: "${String(value).slice(0, 200)}"`, 'Give a web address such as https://example.com/page.');
	if (raw === '' || /\s/.test(raw)) throw problem();
	const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw);
	let parsed: URL | undefined;
	try {
		parsed = new URL(hasScheme ? raw : `https://${raw}`);
	} catch {
		parsed = undefined;
	}
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw problem();
	const host = parsed.hostname;
	if (!(host.includes('.') || host === 'localhost' || host.startsWith('['))) throw problem();
	return raw;
}

function flag(value: boolean | undefined): boolean | undefined {
	return value === undefined ? undefined : Boolean(value);
}

/** Drops undefined fields, so Tavily applies its own defaults to whatever was not set. */
function compact(body: Body): Body {
	return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

export function searchBody(params: TavilySearchParams): Body {
	const query = text('query', params.query);
	if (query === undefined) {
		throw invalid('query', 'The search query is empty', 'Give the words or question to search the web for.');
	}
	const topic = oneOf('topic', params.topic, ['general', 'news', 'finance'] as const);
	const country = text('country', params.country)?.toLowerCase();
	if (country !== undefined && topic !== undefined && topic !== 'general') {
		throw invalid('country', 'country works only with topic "general"', 'Clear country, or set topic to general.');
	}
	const startDate = isoDate('startDate', params.startDate);
	const endDate = isoDate('endDate', params.endDate);
	if (startDate && endDate && startDate > endDate) {
		throw invalid('startDate', `startDate ${startDate} is after endDate ${endDate}`, 'Make the start date the earlier one.');
	}
	let includeAnswer: boolean | string | undefined = params.includeAnswer;
	if (typeof includeAnswer === 'string') {
		includeAnswer = oneOf('includeAnswer', includeAnswer, ['basic', 'advanced'] as const);
	} else includeAnswer = flag(includeAnswer);
	let includeRawContent: boolean | string | undefined = params.includeRawContent;
	if (typeof includeRawContent === 'string') {
		includeRawContent = oneOf('includeRawContent', includeRawContent, ['markdown', 'text'] as const);
	} else includeRawContent = flag(includeRawContent);
	return compact({
		query,
		search_depth: oneOf('searchDepth', params.searchDepth, ['basic', 'advanced', 'fast', 'ultra-fast'] as const),
		topic,
		time_range: oneOf('timeRange', params.timeRange, ['day', 'week', 'month', 'year'] as const),
		days: integer('days', params.days, 1),
		start_date: startDate,
		end_date: endDate,
		max_results: integer('maxResults', params.maxResults, 0, 20),
		chunks_per_source: integer('chunksPerSource', params.chunksPerSource, 1, 3),
		include_answer: includeAnswer,
		include_raw_content: includeRawContent,
		include_images: flag(params.includeImages),
		include_image_descriptions: flag(params.includeImageDescriptions),
		include_domains: list('includeDomains', params.includeDomains),
		exclude_domains: list('excludeDomains', params.excludeDomains),
		country,
		auto_parameters: flag(params.autoParameters),
		include_favicon: flag(params.includeFavicon),
		include_usage: flag(params.includeUsage),
	});
}

export function extractBody(params: TavilyExtractParams): Body {
	const urls = list('urls', params.urls) ?? [];
	if (urls.length === 0) throw invalid('urls', 'No URL to extract', 'Give at least one web address.');
	if (urls.length > MAX_EXTRACT_URLS) {
		throw invalid(
			'urls',
			`Tavily extracts at most ${MAX_EXTRACT_URLS} URLs per request (got ${urls.length})`,
			`Split the URLs into groups of ${MAX_EXTRACT_URLS} or fewer, e.g. one item per group.`,
		);
	}
	urls.forEach((url) => checkUrl('urls', url));
	const query = text('query', params.query);
	const chunksPerSource = integer('chunksPerSource', params.chunksPerSource, 1, 5);
	if (chunksPerSource !== undefined && query === undefined) {
		throw invalid('chunksPerSource', 'chunksPerSource needs a query', 'Give a query to rank the chunks by, or clear chunks per source.');
	}
	return compact({
		urls,
		extract_depth: oneOf('extractDepth', params.extractDepth, ['basic', 'advanced'] as const),
		format: oneOf('format', params.format, ['markdown', 'text'] as const),
		query,
		chunks_per_source: chunksPerSource,
		include_images: flag(params.includeImages),
		include_favicon: flag(params.includeFavicon),
		include_usage: flag(params.includeUsage),
		timeout: integer('timeout', params.timeout, 1, 60),
	});
}

function traversalBody(params: TavilyMapParams): Body {
	return {
		url: checkUrl('url', params.url),
		max_depth: integer('maxDepth', params.maxDepth, 1, 5),
		max_breadth: integer('maxBreadth', params.maxBreadth, 1, 500),
		limit: integer('limit', params.limit, 1),
		instructions: text('instructions', params.instructions),
		select_paths: list('selectPaths', params.selectPaths),
		select_domains: list('selectDomains', params.selectDomains),
		exclude_paths: list('excludePaths', params.excludePaths),
		exclude_domains: list('excludeDomains', params.excludeDomains),
		allow_external: flag(params.allowExternal),
		timeout: integer('timeout', params.timeout, 10, 150),
		include_usage: flag(params.includeUsage),
	};
}

export function crawlBody(params: TavilyCrawlParams): Body {
	const body = traversalBody(params);
	const chunksPerSource = integer('chunksPerSource', params.chunksPerSource, 1, 5);
	if (chunksPerSource !== undefined && body.instructions === undefined) {
		throw invalid('chunksPerSource', 'chunksPerSource needs instructions', 'Give instructions to pick the chunks by, or clear chunks per source.');
	}
	return compact({
		...body,
		extract_depth: oneOf('extractDepth', params.extractDepth, ['basic', 'advanced'] as const),
		format: oneOf('format', params.format, ['markdown', 'text'] as const),
		include_images: flag(params.includeImages),
		include_favicon: flag(params.includeFavicon),
		chunks_per_source: chunksPerSource,
	});
}

export function mapBody(params: TavilyMapParams): Body {
	return compact(traversalBody(params));
}
