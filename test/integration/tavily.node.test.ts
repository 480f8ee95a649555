// The Tavily node's execute() in the shared stand-in for n8n's execute context, whose HTTP helper really calls the fake Tavily server.
import { NodeApiError, NodeOperationError, type ICredentialDataDecryptedObject } from 'n8n-workflow';
import { TavilyAgenticApi } from '../../credentials/TavilyAgenticApi.credentials';
import { Tavily } from '../../nodes/Tavily/Tavily.node';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { executeContext } from '../helpers/executeContext';

const KEY = 'tvly-node-secret-456';
let fake: FakeTavily;

beforeEach(async () => {
	fake = await startFakeTavily({ apiKey: KEY });
});

afterEach(async () => {
	await fake.close();
});

interface Run {
	params: Array<Record<string, unknown>>;
	credentials?: Record<string, unknown>;
	continueOnFail?: boolean;
}

function context(run: Run) {
	return executeContext({
		nodeType: new Tavily(),
		items: run.params.map((_, i) => ({ json: { i } })),
		parameters: (itemIndex) => run.params[itemIndex],
		credentials: { tavilyAgenticApi: (run.credentials ?? { apiKey: KEY, baseUrl: fake.url }) as ICredentialDataDecryptedObject },
		continueOnFail: run.continueOnFail,
	});
}

async function execute(run: Run) {
	const [items] = await new Tavily().execute.call(context(run));
	return items;
}

async function executionError(run: Run): Promise<NodeApiError | NodeOperationError> {
	const error = await execute(run).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error === undefined).toBe(false);
	return error as NodeApiError | NodeOperationError;
}

describe('Tavily node', () => {
	it('searches once per item and returns one item per result, paired to its input', async () => {
		const items = await execute({
			params: [
				{ operation: 'search', query: 'tallest tower', options: { maxResults: 2 }, output: 'perResult' },
				{ operation: 'search', query: 'longest river', options: { maxResults: 1, includeAnswer: 'none' }, output: 'perResult' },
			],
		});
		expect(items.map((item) => [item.json.title, item.pairedItem])).toEqual([
			['tallest tower - result 1', { item: 0 }],
			['tallest tower - result 2', { item: 0 }],
			['longest river - result 1', { item: 1 }],
		]);
		expect(fake.requests.map((r) => r.body)).toEqual([
			{ query: 'tallest tower', max_results: 2 },
			{ query: 'longest river', max_results: 1 },
		]);
		expect(fake.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
	});

	it('returns the whole response in one item, answer and images included', async () => {
		const items = await execute({
			params: [
				{
					operation: 'search',
					query: 'aurora forecast',
					options: { includeAnswer: 'basic', includeImages: true, includeImageDescriptions: true, topic: 'general' },
					output: 'response',
				},
			],
		});
		expect(items).toHaveLength(1);
		expect(items[0].json.answer).toBe('Answer about aurora forecast.');
		expect(items[0].json.images).toEqual([
			{ url: 'https://example.com/images/aurora-forecast-1.jpg', description: 'Picture 1 of aurora forecast' },
			{ url: 'https://example.com/images/aurora-forecast-2.jpg', description: 'Picture 2 of aurora forecast' },
		]);
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('runs Extract, Crawl and Map from their parameters', async () => {
		const items = await execute({
			params: [
				{ operation: 'extract', urls: 'https://a.com/one\nhttps://a.com/two', options: { format: 'text' }, output: 'perResult' },
				{ operation: 'crawl', url: 'https://b.com', options: { limit: 2, instructions: 'pricing', chunksPerSource: 1 }, output: 'perResult' },
				{ operation: 'map', url: 'c.com', options: { maxDepth: 2, excludePaths: '/blog.*' }, output: 'response' },
			],
		});
		expect(items.map((item) => item.json.url ?? item.json.base_url)).toEqual(['https://a.com/one', 'https://a.com/two', 'https://b.com', 'https://b.com/docs', 'c.com']);
		expect(items[2].json.raw_content).toBe('Chunk 1 of https://b.com about pricing.');
		expect(items[4].json.results).toEqual([
			'https://c.com',
			'https://c.com/docs',
			'https://c.com/about',
			'https://c.com/docs/getting-started',
			'https://c.com/docs/api-reference',
		]);
		expect(fake.requests.map((r) => r.path)).toEqual(['/extract', '/crawl', '/map']);
	});

	it('fails on a refused key with an API error naming the credential, without the key', async () => {
		const wrongKey = 'tvly-definitely-wrong-key';
		const error = await executionError({
			params: [{ operation: 'search', query: 'x', options: {}, output: 'perResult' }],
			credentials: { apiKey: wrongKey, baseUrl: fake.url },
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Tavily refused the API key (HTTP 401)');
		expect(error.description).toBe('Check the API key in the "Tavily (Agentic) API" credential.');
		expect((error as NodeApiError).httpCode).toBe('401');
		expect(JSON.stringify({ message: error.message, description: error.description, messages: (error as NodeApiError).messages })).not.toContain(wrongKey);
	});

	it('rejects an invalid URL before any request, naming the parameter', async () => {
		const error = await executionError({ params: [{ operation: 'extract', urls: 'https://ok.com, not_a_url', options: {}, output: 'perResult' }] });
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('urls has an invalid URL: "not_a_url"');
		expect(error.description).toContain('web address');
		expect(fake.requests).toHaveLength(0);
	});

	it('with Continue On Fail, gives the failing item an error field and runs the others', async () => {
		const tooMany = Array.from({ length: 21 }, (_, i) => `https://a.com/${i}`).join(',');
		const items = await execute({
			continueOnFail: true,
			params: [
				{ operation: 'search', query: 'first', options: { maxResults: 1 }, output: 'perResult' },
				{ operation: 'search', query: '   ', options: {}, output: 'perResult' },
				{ operation: 'extract', urls: tooMany, options: {}, output: 'perResult' },
				{ operation: 'search', query: 'last', options: { maxResults: 1 }, output: 'perResult' },
			],
		});
		expect(items.map((item) => [item.json.title ?? item.json.error, item.pairedItem])).toEqual([
			['first - result 1', { item: 0 }],
			['The search query is empty', { item: 1 }],
			['Tavily extracts at most 20 URLs per request (got 21)', { item: 2 }],
			['last - result 1', { item: 3 }],
		]);
		expect(items[2].json.errorDescription).toContain('groups of 20');
		expect(fake.requests).toHaveLength(2);
	});

	it('retries a 429 and a 502 through n8n\'s HTTP helper, then succeeds', async () => {
		fake.failNext(1, 429, { 'retry-after': '0' });
		fake.failNext(1, 502, { 'retry-after': '0' });
		const items = await execute({ params: [{ operation: 'map', url: 'https://d.com', options: { limit: 1 }, output: 'perResult' }] });
		expect(items.map((item) => item.json)).toEqual([{ url: 'https://d.com' }]);
		expect(fake.requests).toHaveLength(3);
	});
});

describe('Tavily (Agentic) API credential', () => {
	it('tests the key with GET /usage, which the fake accepts only with the right Bearer key', async () => {
		const credential = new TavilyAgenticApi();
		expect(credential.name).toBe('tavilyAgenticApi');
		expect(credential.test.request.method).toBe('GET');
		const headerTemplate = (credential.authenticate.properties.headers as Record<string, string>).Authorization;
		const call = (key: string) =>
			fetch(`${fake.url}${credential.test.request.url}`, { headers: { Authorization: headerTemplate.replace(/^=/, '').replace('{{$credentials.apiKey}}', key) } });
		expect(headerTemplate).toBe('=Bearer {{$credentials.apiKey}}');
		const good = await call(KEY);
		expect(good.status).toBe(200);
		expect(await good.json()).toMatchObject({ key: { limit: 1000 } });
		const bad = await call('tvly-nope');
		expect(bad.status).toBe(401);
		expect(await bad.json()).toEqual({ detail: { error: 'Unauthorized: missing or invalid API key.' } });
	});
});
