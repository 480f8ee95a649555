// TavilyClient: Search, Extract, Crawl and Map over any HttpTransport, with retries and errors that never show the API key.
import { AgenticError, redactSecrets } from '../../shared/errors';
import { checkBaseUrl, fetchTransport, requestWithRetry, responseBodyText, type HttpResponse, type HttpTransport, type RetryOptions } from '../../shared/http';
import { crawlBody, extractBody, mapBody, searchBody } from './request';
import { pollResearch, researchBody, type ResearchWait } from './research';
import type {
	TavilyCrawlParams,
	TavilyCrawlResponse,
	TavilyExtractParams,
	TavilyExtractResponse,
	TavilyMapParams,
	TavilyMapResponse,
	TavilyResearchParams,
	TavilyResearchResponse,
	TavilySearchParams,
	TavilySearchResponse,
} from './types';

export const TAVILY_DEFAULT_BASE_URL = 'https://api.tavily.com';
/** The n8n credential users fix when Tavily refuses the key; named in every auth error. */
export const TAVILY_CREDENTIAL_NAME = 'Tavily (Agentic) API';

const DEFAULT_TIMEOUT_MS = 60_000;
/** Crawl and Map may work up to 150 s on Tavily's side by default; wait that long plus a margin. */
const TRAVERSAL_DEFAULT_TIMEOUT_MS = 160_000;
const SERVER_TIMEOUT_MARGIN_MS = 10_000;

export interface TavilyClientOptions {
	/** Tavily API key ("tvly-..."). Sent as `Authorization: Bearer`, never echoed in errors. */
	apiKey: string;
	/** Default https://api.tavily.com. */
	baseUrl?: string;
	/** How requests are sent; default Node's fetch. In n8n pass `n8nTransport(this)` so proxy settings apply. */
	transport?: HttpTransport;
	/** Retries of 429/5xx/timeouts (default 3, exponential backoff from 500 ms, Retry-After honoured). */
	retry?: Partial<RetryOptions>;
	/**
	 * HTTP timeout per try, default 60 s. Crawl and Map, and calls that set Tavily's own `timeout`,
	 * wait at least as long as Tavily may work plus 10 s.
	 */
	timeoutMs?: number;
}

/**
 * A small client for Tavily's REST API (https://docs.tavily.com), independent of n8n.
 *
 * ```ts
 * const tavily = new TavilyClient({ apiKey: 'tvly-...' });
 * const { answer, results } = await tavily.search({ query: 'who won the 2024 Tour de France', includeAnswer: true });
 * ```
 *
 * Every method checks its parameters first and throws AgenticError('invalid_input', …, { field }) without a
 * request when one is wrong. A refused key throws AgenticError('auth') naming the "Tavily (Agentic) API"
 * credential; 429/5xx/timeouts are retried and then throw 'rate_limited' or 'upstream'; other 4xx answers
 * throw 'invalid_input' (400/422) or 'upstream' with Tavily's own explanation. Responses are Tavily's JSON as sent.
 */
export class TavilyClient {
	private readonly apiKey: string;

	private readonly baseUrl: string;

	private readonly transport: HttpTransport;

	private readonly retry: RetryOptions;

	private readonly timeoutMs: number;

	constructor(options: TavilyClientOptions) {
		const apiKey = typeof options.apiKey === 'string' ? options.apiKey.trim() : '';
		if (apiKey === '') {
			throw new AgenticError('invalid_input', `The "${TAVILY_CREDENTIAL_NAME}" credential has no API key`, {
				field: TAVILY_CREDENTIAL_NAME,
				description: `Paste your Tavily API key (tvly-...) into the "${TAVILY_CREDENTIAL_NAME}" credential.`,
			});
		}
		this.apiKey = apiKey;
		this.baseUrl = checkBaseUrl(options.baseUrl, {
			defaultUrl: TAVILY_DEFAULT_BASE_URL,
			credentialName: TAVILY_CREDENTIAL_NAME,
			hint: `Set the base URL to ${TAVILY_DEFAULT_BASE_URL}, or to the address of a gateway serving the same API.`,
		});
		this.transport = options.transport ?? fetchTransport;
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.retry = {
			...options.retry,
			service: 'Tavily',
			credentialName: TAVILY_CREDENTIAL_NAME,
			secrets: [apiKey, ...(options.retry?.secrets ?? [])],
		};
	}

	/** Web search: ranked results with snippets, and on request an answer, raw page content and images. */
	async search(params: TavilySearchParams, signal?: AbortSignal): Promise<TavilySearchResponse> {
		const body = searchBody(params);
		const response = await this.post<TavilySearchResponse>('search', body, this.timeoutMs, signal);
		return { ...response, images: response.images ?? [], results: this.resultsOf(response, 'search') };
	}

	/** Clean content of up to 20 pages; URLs Tavily could not read come back in `failed_results`. */
	async extract(params: TavilyExtractParams, signal?: AbortSignal): Promise<TavilyExtractResponse> {
		const body = extractBody(params);
		const response = await this.post<TavilyExtractResponse>('extract', body, this.timeoutFor(body, this.timeoutMs), signal);
		return { ...response, results: this.resultsOf(response, 'extract'), failed_results: response.failed_results ?? [] };
	}

	/** Follows links from a root URL and returns the content of each page reached. */
	async crawl(params: TavilyCrawlParams, signal?: AbortSignal): Promise<TavilyCrawlResponse> {
		const body = crawlBody(params);
		const timeout = this.timeoutFor(body, Math.max(this.timeoutMs, TRAVERSAL_DEFAULT_TIMEOUT_MS));
		const response = await this.post<TavilyCrawlResponse>('crawl', body, timeout, signal);
		return { ...response, results: this.resultsOf(response, 'crawl') };
	}

	/** Lists the URLs of a site reachable from a root URL, without their content. */
	async map(params: TavilyMapParams, signal?: AbortSignal): Promise<TavilyMapResponse> {
		const body = mapBody(params);
		const timeout = this.timeoutFor(body, Math.max(this.timeoutMs, TRAVERSAL_DEFAULT_TIMEOUT_MS));
		const response = await this.post<TavilyMapResponse>('map', body, timeout, signal);
		return { ...response, results: this.resultsOf(response, 'map') };
	}

	/**
	 * Deep research: creates a research task (POST /research), polls GET /research/{request_id} until it completes, and
	 * returns the report (markdown, or an object of the output schema) with its sources. A failed task throws with
	 * Tavily's reason; `wait.signal` (the execution's cancel) stops the wait at once.
	 */
	async research(params: TavilyResearchParams, wait: ResearchWait = {}): Promise<TavilyResearchResponse> {
		const created = await this.post<{ request_id?: unknown }>('research', researchBody(params), this.timeoutMs, wait.signal);
		const requestId = typeof created.request_id === 'string' ? created.request_id : '';
		if (!requestId) {
			throw new AgenticError('upstream', "Tavily's /research answer has no request_id", {
				description: `Check that the base URL in the "${TAVILY_CREDENTIAL_NAME}" credential points at the Tavily API.`,
			});
		}
		const path = `research/${encodeURIComponent(requestId)}`;
		return pollResearch(requestId, () => this.send<Record<string, unknown>>('GET', path, undefined, this.timeoutMs, wait.signal), { ...wait, sleep: wait.sleep ?? this.retry.sleep });
	}

	private timeoutFor(body: Record<string, unknown>, fallbackMs: number): number {
		const serverSeconds = typeof body.timeout === 'number' ? body.timeout : undefined;
		return serverSeconds === undefined ? fallbackMs : Math.max(this.timeoutMs, serverSeconds * 1000 + SERVER_TIMEOUT_MARGIN_MS);
	}

	private resultsOf<T>(response: { results?: T[] }, endpoint: string): T[] {
		if (!Array.isArray(response.results)) {
			throw new AgenticError('upstream', `Tavily's /${endpoint} answer has no results list`, {
				description: `Check that the base URL in the "${TAVILY_CREDENTIAL_NAME}" credential points at the Tavily API.`,
			});
		}
		return response.results;
	}

	private post<T>(endpoint: string, body: Record<string, unknown>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
		return this.send<T>('POST', endpoint, body, timeoutMs, signal);
	}

	private async send<T>(method: 'GET' | 'POST', endpoint: string, body: Record<string, unknown> | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T> {
		const response = await requestWithRetry(
			this.transport,
			{
				method,
				url: `${this.baseUrl}/${endpoint}`,
				headers: { authorization: `Bearer ${this.apiKey}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
				body,
				timeoutMs,
				signal,
			},
			this.retry,
		);
		if (response.status >= 200 && response.status < 300) {
			if (response.body === null || typeof response.body !== 'object') {
				throw new AgenticError('upstream', `Tavily's /${endpoint} answer is not JSON`, {
					httpStatus: response.status,
					description: `Check that the base URL in the "${TAVILY_CREDENTIAL_NAME}" credential points at the Tavily API.`,
				});
			}
			return response.body as T;
		}
		throw this.failure(endpoint, response);
	}

	/** Explains a 4xx answer that retrying cannot fix (401/403/429 are handled by requestWithRetry). */
	private failure(endpoint: string, response: HttpResponse): AgenticError {
		const detail = redactSecrets(responseBodyText(response.body, 'no explanation'), [this.apiKey]);
		const status = response.status;
		const message = `Tavily /${endpoint} refused the request (HTTP ${status}): ${detail}`;
		if (status === 400 || status === 422) {
			return new AgenticError('invalid_input', message, {
				httpStatus: status,
				description: 'Change the parameter Tavily names in its message.',
			});
		}
		if (status === 432 || status === 433) {
			return new AgenticError('rate_limited', message, {
				httpStatus: status,
				description: 'Your Tavily plan or pay-as-you-go limit is used up. Raise it in the Tavily dashboard or wait for the next period.',
			});
		}
		if (status === 404) {
			return new AgenticError('not_found', message, {
				httpStatus: status,
				description: `Check the base URL in the "${TAVILY_CREDENTIAL_NAME}" credential.`,
			});
		}
		return new AgenticError('upstream', message, { httpStatus: status, description: 'Check the request parameters and Tavily\'s status page.' });
	}
}

