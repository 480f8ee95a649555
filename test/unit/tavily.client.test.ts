// TavilyClient against the fake Tavily server: bodies and auth sent, responses returned, retries, timeouts and errors.
import { AgenticError } from '../../nodes/shared/errors';
import { TavilyClient } from '../../nodes/Tavily/engine/client';
import { toOutputRecords } from '../../nodes/Tavily/engine/output';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';

const KEY = 'tvly-unit-secret-123';
let fake: FakeTavily;
let waits: number[];

function client(overrides: Partial<ConstructorParameters<typeof TavilyClient>[0]> = {}): TavilyClient {
	return new TavilyClient({
		apiKey: KEY,
		baseUrl: fake.url,
		retry: { retries: 3, baseDelayMs: 10, sleep: async (ms) => void waits.push(ms) },
		...overrides,
	});
}

async function failure(promise: Promise<unknown>): Promise<AgenticError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(AgenticError);
	return error as AgenticError;
}

beforeEach(async () => {
	fake = await startFakeTavily({ apiKey: KEY });
	waits = [];
});

afterEach(async () => {
	await fake.close();
});

describe('search', () => {
	it('posts the snake_case body with a Bearer key and returns Tavily\'s response', async () => {
		const response = await client().search({ query: 'solar panels', maxResults: 3, includeAnswer: true, includeUsage: true, searchDepth: 'advanced' });
		expect(fake.requests).toHaveLength(1);
		const [request] = fake.requests;
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/search');
		expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
		expect(request.body).toEqual({ query: 'solar panels', max_results: 3, include_answer: true, include_usage: true, search_depth: 'advanced' });
		expect(response.answer).toBe('Answer about solar panels.');
		expect(response.results.map((r) => r.url)).toEqual([
			'https://example.com/search/solar-panels/1',
			'https://example.com/search/solar-panels/2',
			'https://example.com/search/solar-panels/3',
		]);
		expect(response.results[0].title).toContain('solar panels');
		expect(response.usage).toEqual({ credits: 2 });
	});

	it('rejects an empty query without sending anything', async () => {
		const error = await failure(client().search({ query: '  ' }));
		expect(error.kind).toBe('invalid_input');
		expect(error.field).toBe('query');
		expect(fake.requests).toHaveLength(0);
	});

	it('retries a 429 after the delay its Retry-After asks for, then succeeds', async () => {
		fake.failNext(1, 429, { 'retry-after': '2' });
		const response = await client().search({ query: 'rate limited' });
		expect(response.results).toHaveLength(5);
		expect(fake.requests).toHaveLength(2);
		expect(waits).toEqual([2000]);
	});

	it('retries 5xx answers with growing backoff, then succeeds', async () => {
		fake.failNext(2, 503);
		const response = await client().search({ query: 'flaky upstream' });
		expect(response.query).toBe('flaky upstream');
		expect(fake.requests).toHaveLength(3);
		expect(waits).toHaveLength(2);
		expect(waits[1]).toBeGreaterThan(waits[0]);
	});

	it('gives up with a rate_limited error once every retry got 429', async () => {
		fake.failNext(4, 429, { 'retry-after': '0' });
		const error = await failure(client().search({ query: 'still limited' }));
		expect(error.kind).toBe('rate_limited');
		expect(error.httpStatus).toBe(429);
		expect(error.message).toContain('4 tries');
		expect(fake.requests).toHaveLength(4);
	});

	it('names the credential on a refused key and never shows the key', async () => {
		const wrongKey = 'tvly-wrong-key-999';
		const error = await failure(client({ apiKey: wrongKey }).search({ query: 'x' }));
		expect(error.kind).toBe('auth');
		expect(error.httpStatus).toBe(401);
		expect(error.field).toBe('Tavily (Agentic) API');
		expect(error.description).toContain('"Tavily (Agentic) API"');
		expect(error.message).toContain('Unauthorized');
		expect(`${error.message} ${error.description}`).not.toContain(wrongKey);
		expect(fake.requests).toHaveLength(1);
	});

	it('redacts the key when an error body echoes it', async () => {
		const echo = new TavilyClient({
			apiKey: KEY,
			transport: async () => ({ status: 400, headers: {}, body: { detail: { error: `bad key ${KEY} in body` } } }),
		});
		const error = await failure(echo.search({ query: 'x' }));
		expect(error.kind).toBe('invalid_input');
		expect(error.message).toContain('[redacted]');
		expect(error.message).not.toContain(KEY);
	});

	it('turns Tavily\'s 400 explanation into an invalid_input error without retrying', async () => {
		fake.failNext(1, 400);
		const error = await failure(client().search({ query: 'x' }));
		expect(error.kind).toBe('invalid_input');
		expect(error.httpStatus).toBe(400);
		expect(error.message).toContain('Bad Request');
		expect(fake.requests).toHaveLength(1);
	});

	it('explains a used-up plan (HTTP 432)', async () => {
		fake.failNext(1, 432);
		const error = await failure(client().search({ query: 'x' }));
		expect(error.kind).toBe('rate_limited');
		expect(error.message).toContain('usage limit');
		expect(error.description).toContain('plan');
	});

	it('times out a stalled request, retries it, then reports Tavily unreachable', async () => {
		fake.stallNext(2, 2000);
		const error = await failure(client({ timeoutMs: 150, retry: { retries: 1, baseDelayMs: 1, sleep: async () => undefined } }).search({ query: 'slow' }));
		expect(error.kind).toBe('upstream');
		expect(error.message).toMatch(/2 tries/);
		expect(error.message).toMatch(/Timed out after 150 ms/);
		expect(fake.requests).toHaveLength(2);
	});

	it('recovers when only the first try times out', async () => {
		fake.stallNext(1, 2000);
		const response = await client({ timeoutMs: 150 }).search({ query: 'slow once' });
		expect(response.results[0].content).toBe('Snippet 1 about slow once.');
		expect(fake.requests).toHaveLength(2);
	});
});

describe('extract, crawl and map', () => {
	it('extracts pages and reports the ones Tavily could not read', async () => {
		const response = await client().extract({ urls: ['https://example.com/a', 'https://example.com/missing'], format: 'text' });
		expect(fake.requests[0].body).toEqual({ urls: ['https://example.com/a', 'https://example.com/missing'], format: 'text' });
		expect(response.results.map((r) => r.url)).toEqual(['https://example.com/a']);
		expect(response.results[0].raw_content).toContain('https://example.com/a');
		expect(response.failed_results).toEqual([{ url: 'https://example.com/missing', error: 'Failed to fetch url' }]);
	});

	it('rejects more than 20 URLs and an invalid URL before any request', async () => {
		const tooMany = Array.from({ length: 21 }, (_, i) => `https://example.com/${i}`);
		expect((await failure(client().extract({ urls: tooMany }))).field).toBe('urls');
		expect((await failure(client().extract({ urls: ['https://example.com', 'htp//broken'] }))).field).toBe('urls');
		expect(fake.requests).toHaveLength(0);
	});

	it('crawls from a root URL, keeping to the selected paths', async () => {
		const response = await client().crawl({ url: 'https://docs.example.com', maxDepth: 2, selectPaths: ['/docs.*'] });
		expect(fake.requests[0].body).toEqual({ url: 'https://docs.example.com', max_depth: 2, select_paths: ['/docs.*'] });
		expect(response.base_url).toBe('https://docs.example.com');
		expect(response.results.map((r) => r.url)).toEqual([
			'https://docs.example.com',
			'https://docs.example.com/docs',
			'https://docs.example.com/docs/getting-started',
			'https://docs.example.com/docs/api-reference',
		]);
	});

	it('maps a site to its URLs, within the limit', async () => {
		const response = await client().map({ url: 'example.org', maxDepth: 3, limit: 4 });
		expect(response.results).toEqual(['https://example.org', 'https://example.org/docs', 'https://example.org/blog', 'https://example.org/about']);
	});

	it('rejects an invalid crawl root without sending anything', async () => {
		const error = await failure(client().crawl({ url: 'not a site' }));
		expect(error.field).toBe('url');
		expect(fake.requests).toHaveLength(0);
	});
});

describe('client options', () => {
	it('refuses a missing key or a base URL that is not a web address, naming the credential', () => {
		expect(() => new TavilyClient({ apiKey: '' })).toThrow(/"Tavily \(Agentic\) API" credential has no API key/);
		expect(() => new TavilyClient({ apiKey: KEY, baseUrl: 'api.tavily' })).toThrow(/base URL/);
	});

	it('ignores a trailing slash on the base URL', async () => {
		await client({ baseUrl: `${fake.url}/` }).map({ url: 'https://a.com' });
		expect(fake.requests[0].path).toBe('/map');
	});
});

describe('cancellation and HTTP timeouts', () => {
	it('stops a stalled search at once when the caller aborts, without retrying', async () => {
		fake.stallNext(1, 5000);
		const controller = new AbortController();
		const pending = client().search({ query: 'cancel me' }, controller.signal);
		setTimeout(() => controller.abort(), 50);
		const started = Date.now();
		await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
		expect(Date.now() - started).toBeLessThan(2000);
		expect(fake.requests).toHaveLength(1);
	});

	it('waits longer than Tavily may work: 160 s for Crawl and Map, the server timeout plus 10 s when one is set', async () => {
		const timeouts: Array<[string, number | undefined]> = [];
		const recording = new TavilyClient({
			apiKey: KEY,
			transport: async (request) => {
				timeouts.push([request.url, request.timeoutMs]);
				const body = request.url.endsWith('/search') ? { query: 'q', images: [], results: [] } : { base_url: 'a.com', results: [], failed_results: [] };
				return { status: 200, headers: {}, body };
			},
		});
		await recording.search({ query: 'q' });
		await recording.extract({ urls: ['https://a.com'], timeout: 60 });
		await recording.crawl({ url: 'a.com' });
		await recording.map({ url: 'a.com', timeout: 20 });
		expect(timeouts).toEqual([
			['https://api.tavily.com/search', 60_000],
			['https://api.tavily.com/extract', 70_000],
			['https://api.tavily.com/crawl', 160_000],
			['https://api.tavily.com/map', 60_000],
		]);
	});
});

describe('output records', () => {
	it('gives one record per result, or the whole response in one', async () => {
		const tavily = client();
		const search = await tavily.search({ query: 'cats', maxResults: 2, includeAnswer: 'advanced' });
		expect(toOutputRecords({ operation: 'search', response: search }, 'perResult').map((r) => r.url)).toEqual([
			'https://example.com/search/cats/1',
			'https://example.com/search/cats/2',
		]);
		const [whole] = toOutputRecords({ operation: 'search', response: search }, 'response');
		expect(whole.answer).toBe('Detailed answer about cats.');
		expect(whole.results).toHaveLength(2);

		const extract = await tavily.extract({ urls: ['https://a.com/ok', 'https://a.com/fail'] });
		expect(toOutputRecords({ operation: 'extract', response: extract }, 'perResult')).toEqual([
			expect.objectContaining({ url: 'https://a.com/ok' }),
			{ url: 'https://a.com/fail', failed: true, error: 'Failed to fetch url' },
		]);

		const map = await tavily.map({ url: 'https://a.com', maxDepth: 1, limit: 2 });
		expect(toOutputRecords({ operation: 'map', response: map }, 'perResult')).toEqual([{ url: 'https://a.com' }, { url: 'https://a.com/docs' }]);
	});
});
