// One HTTP path for every engine: a pluggable transport plus retries that honour Retry-After.
import { AgenticError, redactSecrets } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
	method: HttpMethod;
	url: string;
	headers?: Record<string, string>;
	/** Sent as JSON when it is not a string or Buffer. */
	body?: unknown;
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Give a 2xx body as its stream of bytes (server-sent events, read as they come) instead of reading it whole. */
	stream?: boolean;
}

export interface HttpResponse {
	status: number;
	/** Header names in lower case. */
	headers: Record<string, string>;
	/** Parsed JSON when the body is JSON, else the text. */
	body: unknown;
}

/**
 * Sends one request and resolves with any status; it rejects only when no response came
 * (network failure, timeout: reject with an Error whose `code` is 'ETIMEDOUT' for a timeout).
 */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

function encodeBody(request: HttpRequest): { body?: string | Buffer; contentType?: string } {
	if (request.body === undefined) return {};
	if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) return { body: request.body };
	return { body: JSON.stringify(request.body), contentType: 'application/json' };
}

/** Transport over Node's global fetch: used when an engine runs outside n8n. */
export const fetchTransport: HttpTransport = async (request) => {
	const { body, contentType } = encodeBody(request);
	const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
	if (contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
		headers['content-type'] = contentType;
	}
	const signals: AbortSignal[] = [];
	if (request.timeoutMs) signals.push(AbortSignal.timeout(request.timeoutMs));
	if (request.signal) signals.push(request.signal);
	let response: Response;
	try {
		response = await fetch(request.url, {
			method: request.method,
			headers,
			body,
			signal: signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals),
		});
	} catch (error) {
		const name = (error as Error)?.name;
		if (name === 'TimeoutError') {
			throw Object.assign(new Error(`Timed out after ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' });
		}
		if (name === 'AbortError') throw Object.assign(new Error('Request aborted'), { code: 'ABORTED' });
		const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
		throw Object.assign(new Error(cause?.message ?? (error as Error).message), { code: cause?.code ?? 'ENETWORK' });
	}
	const responseHeaders: Record<string, string> = {};
	response.headers.forEach((value, key) => {
		responseHeaders[key.toLowerCase()] = value;
	});
	if (request.stream && response.ok && response.body) return { status: response.status, headers: responseHeaders, body: response.body };
	const text = await response.text();
	return { status: response.status, headers: responseHeaders, body: parseBody(text, responseHeaders['content-type']) };
};

export function parseBody(text: string, contentType?: string): unknown {
	if (text === '') return undefined;
	if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
		try {
			return JSON.parse(text);
		} catch {
			return text;
		}
	}
	return text;
}

export interface RetryOptions {
	/** Retries after the first try (default 3). */
	retries?: number;
	/** First backoff delay; doubles each retry, with jitter (default 500 ms). */
	baseDelayMs?: number;
	/** No single wait is longer than this, Retry-After included (default 30 s). */
	maxDelayMs?: number;
	/** For tests and benchmarks. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** Name of the service in error messages ("Tavily"). */
	service: string;
	/** Name of the credential users fix on a 401/403 ("Tavily (Agentic) API"). */
	credentialName: string;
	/** Values that must never appear in an error message (API keys). */
	secrets?: Array<string | undefined>;
}

/** Waits `ms`; a stopped execution ends the wait and its timer, so nothing lingers after a cancel. */
function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return Promise.resolve();
	return new Promise<void>((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
		signal?.addEventListener('abort', done, { once: true });
	});
}

/** Resolves when the wait is over or the execution is stopped, whichever comes first. */
function abortableWait(wait: Promise<void>, signal?: AbortSignal): Promise<void> {
	if (!signal) return wait;
	if (signal.aborted) return Promise.resolve();
	return new Promise<void>((resolve) => {
		const done = () => {
			signal.removeEventListener('abort', done);
			resolve();
		};
		signal.addEventListener('abort', done, { once: true });
		void wait.then(done, done);
	});
}

/** Delay a Retry-After header asks for, in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
	const value = headers['retry-after'] ?? headers['retry-after-ms'];
	if (value === undefined) return undefined;
	if (headers['retry-after-ms'] !== undefined && headers['retry-after'] === undefined) {
		const ms = Number(value);
		return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
	}
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 429 || status >= 500;
}

/**
 * What an error response says, in at most 300 characters: the service's own explanation where its body has one
 * (OpenAI's `{"error": {"message"}}`, Tavily's `{"detail": {"error"}}`, `{"error": "…"}`, `{"message": "…"}`), else the
 * body itself, else `fallback`.
 */
export function responseBodyText(body: unknown, fallback = ''): string {
	if (body === undefined || body === null || body === '') return fallback;
	if (typeof body === 'string') return body.slice(0, 300);
	const b = body as { error?: unknown; detail?: unknown; message?: unknown };
	const inner = b.error ?? b.detail ?? b.message;
	if (typeof inner === 'string') return inner.slice(0, 300);
	const nested = inner && typeof inner === 'object' ? (inner as { message?: unknown; error?: unknown }) : undefined;
	if (typeof nested?.message === 'string') return nested.message.slice(0, 300);
	if (typeof nested?.error === 'string') return nested.error.slice(0, 300);
	return JSON.stringify(body).slice(0, 300);
}

/**
 * One backoff for every request through this transport to the same host: when one answers 429, the others wait too
 * (Retry-After, else `pauseMs`) instead of each running into the limit on its own. Agent Brain shares one per execution
 * across the items it runs in parallel.
 */
export function withSharedBackoff(transport: HttpTransport, pauseMs = 500): HttpTransport {
	const pausedUntil = new Map<string, number>();
	return async (request) => {
		const host = new URL(request.url).host;
		const wait = (pausedUntil.get(host) ?? 0) - Date.now();
		if (wait > 0) await abortableWait(defaultSleep(wait), request.signal);
		const response = await transport(request);
		if (response.status === 429) {
			const until = Date.now() + (retryAfterMs(response.headers) ?? pauseMs);
			pausedUntil.set(host, Math.max(pausedUntil.get(host) ?? 0, until));
		}
		return response;
	};
}

/**
 * Sends a request, retrying 408/429/5xx, timeouts and network failures with exponential backoff
 * that honours Retry-After. Resolves with a 2xx-4xx response other than 401/403/408/429;
 * throws AgenticError('auth') on 401/403 naming the credential, and AgenticError('rate_limited'|'upstream')
 * when the retries run out.
 */
export async function requestWithRetry(
	transport: HttpTransport,
	request: HttpRequest,
	options: RetryOptions,
): Promise<HttpResponse> {
	const retries = options.retries ?? 3;
	const base = options.baseDelayMs ?? 500;
	const maxDelay = options.maxDelayMs ?? 30_000;
	const sleep = options.sleep ?? defaultSleep;
	const clean = (text: string) => redactSecrets(text, options.secrets ?? []);
	let lastProblem = '';
	let lastStatus: number | undefined;
	for (let attempt = 0; ; attempt++) {
		let waitMs: number | undefined;
		// Outcomes are values, not exceptions, so a failure is either retried or turned into one AgenticError.
		const outcome = await transport(request).then(
			(response) => ({ response }),
			(error: unknown) => ({ error }),
		);
		if ('error' in outcome) {
			const code = (outcome.error as { code?: string })?.code;
			if (code === 'ABORTED' || request.signal?.aborted) {
				throw Object.assign(new AgenticError('cancelled', `The ${options.service} request was cancelled`), { code: 'ABORTED' });
			}
			lastStatus = undefined;
			lastProblem = clean((outcome.error as Error)?.message || String(outcome.error));
		} else {
			const response = outcome.response;
			if (response.status === 401 || response.status === 403) {
				throw new AgenticError(
					'auth',
					clean(`${options.service} refused the API key (HTTP ${response.status}): ${responseBodyText(response.body)}`),
					{
						httpStatus: response.status,
						field: options.credentialName,
						description: `Check the API key in the "${options.credentialName}" credential.`,
					},
				);
			}
			if (!isRetryableStatus(response.status)) return response;
			lastStatus = response.status;
			lastProblem = clean(`HTTP ${response.status}: ${responseBodyText(response.body)}`);
			waitMs = retryAfterMs(response.headers);
		}
		if (attempt >= retries || request.signal?.aborted) break;
		const backoff = Math.min(maxDelay, base * 2 ** attempt * (0.75 + Math.random() * 0.5));
		await abortableWait(sleep(Math.min(maxDelay, waitMs ?? backoff), request.signal), request.signal);
		if (request.signal?.aborted) {
			throw Object.assign(new AgenticError('cancelled', `The ${options.service} request was cancelled`), { code: 'ABORTED' });
		}
	}
	const tries = retries + 1;
	if (lastStatus === 429) {
		throw new AgenticError('rate_limited', `${options.service} kept answering 429 Too Many Requests (${tries} tries): ${lastProblem}`, {
			httpStatus: 429,
			description: `Slow down the workflow or raise your ${options.service} plan's rate limit.`,
		});
	}
	throw new AgenticError('upstream', `${options.service} could not be reached after ${tries} tries: ${lastProblem}`, {
		httpStatus: lastStatus,
		description: `Check that ${options.service} is up and its base URL in the "${options.credentialName}" credential is right.`,
	});
}

/**
 * A credential's base URL, without trailing slashes, or its default when empty; anything but an http(s)
 * address is refused naming the credential, with `hint` saying what to put there.
 */
export function checkBaseUrl(value: string | undefined, options: { defaultUrl: string; credentialName: string; hint: string }): string {
	const raw = (value ?? '').trim() || options.defaultUrl;
	let valid = false;
	try {
		const url = new URL(raw);
		valid = url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		valid = false;
	}
	if (!valid) {
		throw new AgenticError('invalid_input', `The base URL "${raw}" in the "${options.credentialName}" credential is not a web address`, {
			field: options.credentialName,
			description: options.hint,
		});
	}
	return raw.replace(/\/+$/, '');
}
