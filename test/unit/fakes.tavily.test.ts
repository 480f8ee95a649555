// The fake Tavily server itself: Tavily's auth rules, error shape and request-derived answers that other tests rely on.
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';

let fake: FakeTavily;

beforeEach(async () => {
	fake = await startFakeTavily();
});

afterEach(async () => {
	await fake.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer tvly-test-key' }) =>
	fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('fake Tavily server', () => {
	it('accepts the default key as a Bearer header or as api_key in the body, and refuses others with 401', async () => {
		expect((await post('/search', { query: 'a' })).status).toBe(200);
		expect((await post('/search', { query: 'a', api_key: 'tvly-test-key' }, {})).status).toBe(200);
		const refused = await post('/search', { query: 'a' }, { authorization: 'Bearer tvly-other' });
		expect(refused.status).toBe(401);
		expect(await refused.json()).toEqual({ detail: { error: 'Unauthorized: missing or invalid API key.' } });
		expect(fake.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tvly-test-key', undefined, 'Bearer tvly-other']);
	});

	it('answers bad parameters and unknown paths in Tavily\'s error shape', async () => {
		const empty = await post('/search', { query: '' });
		expect(empty.status).toBe(400);
		expect(await empty.json()).toEqual({ detail: { error: 'Query is missing.' } });
		expect((await post('/extract', { urls: Array.from({ length: 21 }, (_, i) => `https://a.com/${i}`) })).status).toBe(400);
		expect((await post('/nowhere', {})).status).toBe(404);
	});

	it('serves queued failures with their headers, in order, then normal answers', async () => {
		fake.failNext(2, 429, { 'retry-after': '3' });
		const first = await post('/map', { url: 'https://a.com' });
		expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3']);
		expect((await post('/map', { url: 'https://a.com' })).status).toBe(429);
		const third = await post('/map', { url: 'https://a.com' });
		expect(third.status).toBe(200);
		expect(await third.json()).toMatchObject({ base_url: 'https://a.com', results: ['https://a.com', 'https://a.com/docs', 'https://a.com/blog', 'https://a.com/about'] });
	});

	it('derives search answers from the request: domain, raw content, favicon, news dates and usage', async () => {
		const response = await post('/search', {
			query: 'Mars rover',
			max_results: 1,
			include_domains: ['nasa.gov'],
			include_raw_content: 'markdown',
			include_favicon: true,
			topic: 'news',
			include_usage: true,
			auto_parameters: true,
		});
		expect(await response.json()).toMatchObject({
			query: 'Mars rover',
			answer: null,
			images: [],
			auto_parameters: { topic: 'news', search_depth: 'basic' },
			usage: { credits: 1 },
			results: [
				{
					url: 'https://nasa.gov/search/mars-rover/1',
					title: 'Mars rover - result 1',
					raw_content: '# Mars rover - result 1\n\nFull text about **Mars rover**.',
					favicon: 'https://nasa.gov/favicon.ico',
					published_date: 'Mon, 06 Jan 2025 09:00:00 GMT',
				},
			],
		});
	});
});
