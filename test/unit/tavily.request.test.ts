// Tavily parameter checks and the camelCase → snake_case bodies, plus the node's text-field parsing.
import { AgenticError } from '../../nodes/shared/errors';
import { checkUrl, crawlBody, extractBody, mapBody, searchBody } from '../../nodes/Tavily/engine/request';
import { searchParams } from '../../nodes/Tavily/operations/search';
import { extractParams } from '../../nodes/Tavily/operations/extract';
import { crawlParams } from '../../nodes/Tavily/operations/crawl';
import { siteParams } from '../../nodes/Tavily/operations/map';

function invalidField(run: () => unknown): string | undefined {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(AgenticError);
		expect((error as AgenticError).kind).toBe('invalid_input');
		expect((error as AgenticError).description).toBeTruthy();
		return (error as AgenticError).field;
	}
	throw new Error('expected an invalid_input error');
}

describe('searchBody', () => {
	it('maps every search parameter to Tavily\'s snake_case field', () => {
		expect(
			searchBody({
				query: '  electric cars  ',
				searchDepth: 'advanced',
				topic: 'general',
				timeRange: 'week',
				days: 3,
				startDate: '2025-01-01',
				endDate: '2025-02-01',
				maxResults: 7,
				chunksPerSource: 2,
				includeAnswer: 'advanced',
				includeRawContent: 'text',
				includeImages: true,
				includeImageDescriptions: true,
				includeDomains: ['a.com', ' b.org '],
				excludeDomains: ['c.net'],
				country: 'Germany',
				autoParameters: true,
				includeFavicon: true,
				includeUsage: true,
			}),
		).toEqual({
			query: 'electric cars',
			search_depth: 'advanced',
			topic: 'general',
			time_range: 'week',
			days: 3,
			start_date: '2025-01-01',
			end_date: '2025-02-01',
			max_results: 7,
			chunks_per_source: 2,
			include_answer: 'advanced',
			include_raw_content: 'text',
			include_images: true,
			include_image_descriptions: true,
			include_domains: ['a.com', 'b.org'],
			exclude_domains: ['c.net'],
			country: 'germany',
			auto_parameters: true,
			include_favicon: true,
			include_usage: true,
		});
	});

	it('sends only the query when nothing else is set, so Tavily\'s defaults apply', () => {
		expect(searchBody({ query: 'q', includeDomains: [' '], country: '' })).toEqual({ query: 'q' });
	});

	it('rejects an empty or blank query naming the query field', () => {
		expect(invalidField(() => searchBody({ query: '' }))).toBe('query');
		expect(invalidField(() => searchBody({ query: '   \n' }))).toBe('query');
	});

	it('rejects out-of-range numbers, unknown choices and malformed dates', () => {
		expect(invalidField(() => searchBody({ query: 'q', maxResults: 21 }))).toBe('maxResults');
		expect(invalidField(() => searchBody({ query: 'q', maxResults: 2.5 }))).toBe('maxResults');
		expect(invalidField(() => searchBody({ query: 'q', chunksPerSource: 4 }))).toBe('chunksPerSource');
		expect(invalidField(() => searchBody({ query: 'q', days: 0 }))).toBe('days');
		expect(invalidField(() => searchBody({ query: 'q', searchDepth: 'deep' as never }))).toBe('searchDepth');
		expect(invalidField(() => searchBody({ query: 'q', topic: 'sports' as never }))).toBe('topic');
		expect(invalidField(() => searchBody({ query: 'q', timeRange: 'decade' as never }))).toBe('timeRange');
		expect(invalidField(() => searchBody({ query: 'q', includeAnswer: 'long' as never }))).toBe('includeAnswer');
		expect(invalidField(() => searchBody({ query: 'q', startDate: '2025-13-01' }))).toBe('startDate');
		expect(invalidField(() => searchBody({ query: 'q', endDate: '01/02/2025' }))).toBe('endDate');
		expect(invalidField(() => searchBody({ query: 'q', startDate: '2025-03-01', endDate: '2025-02-01' }))).toBe('startDate');
		expect(invalidField(() => searchBody({ query: 'q', topic: 'news', country: 'france' }))).toBe('country');
	});
});

describe('extractBody', () => {
	it('maps the extract parameters', () => {
		expect(
			extractBody({
				urls: ['https://a.com/x', 'docs.tavily.com/welcome'],
				extractDepth: 'advanced',
				format: 'text',
				query: 'pricing',
				chunksPerSource: 4,
				includeImages: true,
				includeFavicon: false,
				includeUsage: true,
				timeout: 20,
			}),
		).toEqual({
			urls: ['https://a.com/x', 'docs.tavily.com/welcome'],
			extract_depth: 'advanced',
			format: 'text',
			query: 'pricing',
			chunks_per_source: 4,
			include_images: true,
			include_favicon: false,
			include_usage: true,
			timeout: 20,
		});
	});

	it('takes 20 URLs and rejects 21', () => {
		const urls = Array.from({ length: 21 }, (_, i) => `https://example.com/${i}`);
		expect((extractBody({ urls: urls.slice(0, 20) }).urls as string[]).length).toBe(20);
		expect(invalidField(() => extractBody({ urls }))).toBe('urls');
	});

	it('rejects no URL, an invalid URL, chunks without a query and a timeout over 60 s', () => {
		expect(invalidField(() => extractBody({ urls: [] }))).toBe('urls');
		expect(invalidField(() => extractBody({ urls: ['https://ok.com', 'not a url'] }))).toBe('urls');
		expect(invalidField(() => extractBody({ urls: ['ftp://files.example.com/a'] }))).toBe('urls');
		expect(invalidField(() => extractBody({ urls: ['https://ok.com'], chunksPerSource: 2 }))).toBe('chunksPerSource');
		expect(invalidField(() => extractBody({ urls: ['https://ok.com'], timeout: 61 }))).toBe('timeout');
	});
});

describe('checkUrl', () => {
	it('accepts http(s) URLs and bare domains, rejects the rest', () => {
		expect(checkUrl('url', 'https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
		expect(checkUrl('url', 'docs.tavily.com')).toBe('docs.tavily.com');
		expect(checkUrl('url', 'http://localhost:8080/x')).toBe('http://localhost:8080/x');
		for (const bad of ['', 'hello', 'javascript:alert(1)', 'https://exa mple.com', 'mailto:a@b.com', 'https://']) {
			expect(invalidField(() => checkUrl('url', bad))).toBe('url');
		}
	});
});

describe('crawlBody and mapBody', () => {
	it('map the site traversal parameters', () => {
		const site = {
			url: 'https://docs.example.com',
			maxDepth: 2,
			maxBreadth: 10,
			limit: 30,
			instructions: 'API pages',
			selectPaths: ['/docs/.*'],
			selectDomains: ['^docs\\.example\\.com$'],
			excludePaths: ['/private/.*'],
			excludeDomains: ['^old\\.'],
			allowExternal: false,
			timeout: 60,
			includeUsage: true,
		};
		const traversal = {
			url: 'https://docs.example.com',
			max_depth: 2,
			max_breadth: 10,
			limit: 30,
			instructions: 'API pages',
			select_paths: ['/docs/.*'],
			select_domains: ['^docs\\.example\\.com$'],
			exclude_paths: ['/private/.*'],
			exclude_domains: ['^old\\.'],
			allow_external: false,
			timeout: 60,
			include_usage: true,
		};
		expect(mapBody(site)).toEqual(traversal);
		expect(
			crawlBody({ ...site, extractDepth: 'advanced', format: 'text', includeImages: true, includeFavicon: true, chunksPerSource: 2 }),
		).toEqual({ ...traversal, extract_depth: 'advanced', format: 'text', include_images: true, include_favicon: true, chunks_per_source: 2 });
	});

	it('rejects a bad root URL, depth over 5, breadth over 500, timeouts outside 10-150 s and chunks without instructions', () => {
		expect(invalidField(() => mapBody({ url: 'nope' }))).toBe('url');
		expect(invalidField(() => mapBody({ url: 'a.com', maxDepth: 6 }))).toBe('maxDepth');
		expect(invalidField(() => mapBody({ url: 'a.com', maxBreadth: 501 }))).toBe('maxBreadth');
		expect(invalidField(() => mapBody({ url: 'a.com', limit: 0 }))).toBe('limit');
		expect(invalidField(() => mapBody({ url: 'a.com', timeout: 5 }))).toBe('timeout');
		expect(invalidField(() => crawlBody({ url: 'a.com', chunksPerSource: 3 }))).toBe('chunksPerSource');
	});
});

describe('node parameters to engine parameters', () => {
	it('drops "none" choices and splits comma-separated domains', () => {
		const params = searchParams('news about rust', {
			includeAnswer: 'none',
			includeRawContent: 'markdown',
			timeRange: 'none',
			includeDomains: 'rust-lang.org, github.com,\nblog.rust-lang.org',
			maxResults: 3,
			country: '',
		});
		expect(searchBody(params)).toEqual({
			query: 'news about rust',
			include_raw_content: 'markdown',
			include_domains: ['rust-lang.org', 'github.com', 'blog.rust-lang.org'],
			max_results: 3,
		});
	});

	it('reads URLs separated by commas, spaces or new lines, or given as an array', () => {
		expect(extractParams('https://a.com/1, https://a.com/2\nhttps://a.com/3 https://a.com/4', {}).urls).toEqual([
			'https://a.com/1',
			'https://a.com/2',
			'https://a.com/3',
			'https://a.com/4',
		]);
		expect(extractParams(['https://a.com/1', ' https://a.com/2 '], {}).urls).toEqual(['https://a.com/1', 'https://a.com/2']);
	});

	it('keeps commas inside path and domain regular expressions, one per line', () => {
		const params = crawlParams('https://a.com', { selectPaths: '/docs/v{1,2}/.*\n/api/.*', extractDepth: 'basic' });
		expect(params.selectPaths).toEqual(['/docs/v{1,2}/.*', '/api/.*']);
		expect(params.extractDepth).toBe('basic');
		expect(siteParams('https://a.com', { excludeDomains: '' }).excludeDomains).toBeUndefined();
	});
});
