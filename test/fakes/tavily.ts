// A local stand-in for api.tavily.com (which tests cannot reach), following Tavily's published REST API:
// POST /search, /extract, /crawl, /map, /research, GET /research/{request_id} and GET /usage, Bearer-key auth, and errors shaped {"detail":{"error":"..."}}.
// Answers are derived deterministically from each request, so tests can assert exact values.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTavilyRequest {
	method: string;
	path: string;
	/** Header names in lower case. */
	headers: Record<string, string>;
	body: any;
}

export interface FakeTavily {
	/** Base URL to give the client or credential, e.g. http://127.0.0.1:41234 */
	url: string;
	/** Every request received, in order, failed ones included. */
	requests: FakeTavilyRequest[];
	/** The next `n` requests get `status` with these headers and a Tavily-shaped error body. */
	failNext(n: number, status: number, headers?: Record<string, string>): void;
	/** The next `n` requests are answered only after `ms` milliseconds (to exercise client timeouts). */
	stallNext(n: number, ms: number): void;
	close(): Promise<void>;
}

export interface FakeTavilyOptions {
	/** The only key accepted; default 'tvly-test-key'. */
	apiKey?: string;
	/** Status polls a research task answers "in_progress" (HTTP 202) before it is done, or that number by input; default 2. */
	researchPolls?: number | ((input: string) => number);
	/** The reason a research task with this input fails (status "failed"), or undefined for one that completes. */
	researchFailure?: (input: string) => string | undefined;
}

const RESEARCH_MODELS = ['mini', 'pro', 'auto'];
const CITATION_FORMATS = ['numbered', 'mla', 'apa', 'chicago'];

interface ResearchTask {
	body: any;
	createdAt: string;
	pollsLeft: number;
}

/** The cited sources of a research task, and its report: markdown citing them in the chosen format, or an object of the schema. */
function researchResult(task: ResearchTask) {
	const topic = slug(task.body.input);
	const sources = [1, 2, 3].map((n) => ({ title: `Source ${n} on ${task.body.input}`, url: `https://example.com/research/${topic}/${n}`, favicon: 'https://example.com/favicon.ico' }));
	const format = task.body.citation_format ?? 'numbered';
	const cite = (n: number) => (format === 'numbered' ? `[${n}]` : `(${format.toUpperCase()}: Source ${n})`);
	const schema = task.body.output_schema;
	const content =
		schema && typeof schema === 'object'
			? Object.fromEntries(Object.keys(schema.properties ?? {}).map((key) => [key, `${key} of ${task.body.input}`]))
			: `# ${task.body.input}\n\nFindings from three sources ${cite(1)} ${cite(2)} ${cite(3)}.\n\n## Sources\n${sources.map((s, i) => `${i + 1}. ${s.url}`).join('\n')}`;
	return { content, sources };
}

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized: missing or invalid API key.',
	403: 'Forbidden',
	429: 'Rate limit exceeded. Please slow down your requests.',
	432: 'This request exceeds your plan\'s set usage limit.',
	433: 'This request exceeds the pay-as-you-go limit.',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
};

function slug(text: string): string {
	return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'query';
}

function titleOf(url: string): string {
	const { hostname, pathname } = new URL(url);
	const last = pathname.split('/').filter(Boolean).pop();
	return last ? `${last.replace(/-/g, ' ')} | ${hostname}` : hostname;
}

function withScheme(url: string): string {
	return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`;
}

/** Made-up site used by /crawl and /map: each path with its link depth from the root. */
const SITE: Array<{ path: string; depth: number }> = [
	{ path: '/', depth: 0 },
	{ path: '/docs', depth: 1 },
	{ path: '/blog', depth: 1 },
	{ path: '/about', depth: 1 },
	{ path: '/docs/getting-started', depth: 2 },
	{ path: '/docs/api-reference', depth: 2 },
	{ path: '/blog/first-post', depth: 2 },
	{ path: '/docs/api-reference/search', depth: 3 },
];

function pageContent(url: string, format: string | undefined, query: string | undefined, chunks: number | undefined): string {
	const title = titleOf(url);
	if (query && chunks) {
		return Array.from({ length: chunks }, (_, i) => `Chunk ${i + 1} of ${url} about ${query}.`).join(' [...] ');
	}
	return format === 'text' ? `${title}\n\nThis page at ${url} is a test page.` : `# ${title}\n\nThis page at ${url} is a **test page**.`;
}

function error(status: number, message?: string) {
	return { status, body: { detail: { error: message ?? STATUS_TEXT[status] ?? `HTTP ${status}` } } };
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

function traverse(body: any): { base: string; pages: string[] } | Answer {
	if (typeof body.url !== 'string' || body.url.trim() === '') return error(400, 'url is required.');
	let root: URL;
	try {
		root = new URL(withScheme(body.url.trim()));
	} catch {
		return error(400, `Invalid url: ${body.url}`);
	}
	const maxDepth = body.max_depth ?? 1;
	const maxBreadth = body.max_breadth ?? 20;
	const limit = body.limit ?? 50;
	if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 5) return error(400, 'max_depth must be between 1 and 5.');
	if (!Number.isInteger(limit) || limit < 1) return error(400, 'limit must be at least 1.');
	const toRegexes = (list: unknown) => (Array.isArray(list) ? list.map((pattern) => new RegExp(String(pattern))) : []);
	const selectPaths = toRegexes(body.select_paths);
	const excludePaths = toRegexes(body.exclude_paths);
	const selectDomains = toRegexes(body.select_domains);
	const excludeDomains = toRegexes(body.exclude_domains);
	const candidates = SITE.filter((page) => page.depth <= maxDepth).map((page) => ({ host: root.hostname, ...page }));
	if (body.allow_external === true) candidates.push({ host: 'external.example.org', path: '/', depth: 1 });
	// The made-up site is a small tree, so max_breadth is applied per level rather than per page.
	const pagesPerLevel = new Map<number, number>();
	const pages = candidates
		.filter((page) => {
			const count = pagesPerLevel.get(page.depth) ?? 0;
			pagesPerLevel.set(page.depth, count + 1);
			return page.depth === 0 || count < maxBreadth;
		})
		.filter((page) => selectPaths.length === 0 || page.depth === 0 || selectPaths.some((re) => re.test(page.path)))
		.filter((page) => !excludePaths.some((re) => re.test(page.path)))
		.filter((page) => selectDomains.length === 0 || selectDomains.some((re) => re.test(page.host)))
		.filter((page) => !excludeDomains.some((re) => re.test(page.host)))
		.slice(0, limit)
		.map((page) => `${root.protocol}//${page.host}${page.path === '/' ? '' : page.path}`);
	return { base: body.url, pages };
}

export async function startFakeTavily(options: FakeTavilyOptions = {}): Promise<FakeTavily> {
	const apiKey = options.apiKey ?? 'tvly-test-key';
	const requests: FakeTavilyRequest[] = [];
	const failures: Array<{ status: number; headers: Record<string, string> }> = [];
	const stalls: number[] = [];
	let requestCounter = 0;
	let creditsUsed = 0;

	const tasks = new Map<string, ResearchTask>();
	const createResearch = (body: any, counter: number): Answer => {
		const input = typeof body.input === 'string' ? body.input.trim() : '';
		if (input === '') return error(400, 'input is required.');
		const model = body.model ?? 'auto';
		if (!RESEARCH_MODELS.includes(model)) return error(400, `model must be one of ${RESEARCH_MODELS.join(', ')}.`);
		if (body.citation_format !== undefined && !CITATION_FORMATS.includes(body.citation_format)) return error(400, `citation_format must be one of ${CITATION_FORMATS.join(', ')}.`);
		if (body.output_schema !== undefined && (typeof body.output_schema !== 'object' || body.output_schema === null || Array.isArray(body.output_schema))) {
			return error(400, 'output_schema must be a JSON Schema object.');
		}
		const requestId = `123e4567-e89b-12d3-a456-${String(counter).padStart(12, '0')}`;
		const createdAt = new Date().toISOString();
		tasks.set(requestId, { body: { ...body, input, model }, createdAt, pollsLeft: typeof options.researchPolls === 'function' ? options.researchPolls(input) : (options.researchPolls ?? 2) });
		creditsUsed += model === 'pro' ? 15 : 4;
		return { status: 201, body: { request_id: requestId, created_at: createdAt, status: 'pending', input, model, response_time: 0.02 } };
	};
	const researchStatus = (requestId: string): Answer => {
		const task = tasks.get(requestId);
		if (!task) return error(404, 'Research task not found.');
		if (task.pollsLeft > 0) {
			task.pollsLeft -= 1;
			return { status: 202, body: { request_id: requestId, status: 'in_progress', response_time: 0.01 } };
		}
		const reason = options.researchFailure?.(task.body.input);
		if (reason) return { status: 200, body: { request_id: requestId, created_at: task.createdAt, status: 'failed', error: reason, response_time: 0.01 } };
		return { status: 200, body: { request_id: requestId, created_at: task.createdAt, status: 'completed', ...researchResult(task), response_time: 42.5 } };
	};

	const usage = (body: any, credits: number) => {
		creditsUsed += credits;
		return body.include_usage === true ? { usage: { credits } } : {};
	};

	const answer = (method: string, path: string, headers: Record<string, string>, body: any): Answer => {
		const failure = failures.shift();
		if (failure) return { ...error(failure.status), headers: failure.headers };
		const routes: Record<string, string> = { '/search': 'POST', '/extract': 'POST', '/crawl': 'POST', '/map': 'POST', '/research': 'POST', '/usage': 'GET' };
		const route = /^\/research\/[^/]+$/.test(path) ? 'GET' : routes[path];
		if (!route) return error(404, 'Not Found');
		if (route !== method) return error(405, 'Method Not Allowed');
		const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
		const key = bearer ?? (typeof body?.api_key === 'string' ? body.api_key : undefined);
		if (key !== apiKey) return error(401);
		if (path === '/usage') {
			return {
				status: 200,
				body: {
					key: { usage: creditsUsed, limit: 1000 },
					account: { current_plan: 'Researcher', plan_usage: creditsUsed, plan_limit: 1000, paygo_usage: 0, paygo_limit: null },
				},
			};
		}
		if (method === 'GET') return researchStatus(path.split('/').pop()!);
		if (body === null || typeof body !== 'object' || Array.isArray(body)) return error(400, 'Request body must be a JSON object.');
		requestCounter += 1;
		const requestId = `fake-${String(requestCounter).padStart(6, '0')}`;
		if (path === '/research') return createResearch(body, requestCounter);
		if (path === '/search') {
			const query = typeof body.query === 'string' ? body.query.trim() : '';
			if (query === '') return error(400, 'Query is missing.');
			const maxResults = body.max_results ?? 5;
			if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 20) return error(400, 'max_results must be between 0 and 20.');
			const host = Array.isArray(body.include_domains) && body.include_domains.length > 0 ? String(body.include_domains[0]) : 'example.com';
			const rawFormat = body.include_raw_content === true ? 'markdown' : body.include_raw_content || undefined;
			const results = Array.from({ length: maxResults }, (_, i) => {
				const url = `https://${host}/search/${slug(query)}/${i + 1}`;
				const title = `${query} - result ${i + 1}`;
				return {
					url,
					title,
					content: `Snippet ${i + 1} about ${query}.`,
					score: Math.round((0.95 - i * 0.04) * 100) / 100,
					raw_content: rawFormat ? (rawFormat === 'text' ? `${title}\n\nFull text about ${query}.` : `# ${title}\n\nFull text about **${query}**.`) : null,
					...(body.include_favicon === true && { favicon: `https://${host}/favicon.ico` }),
					...(body.topic === 'news' && { published_date: 'Mon, 06 Jan 2025 09:00:00 GMT' }),
				};
			});
			const images =
				body.include_images === true
					? [1, 2].map((n) => {
							const url = `https://${host}/images/${slug(query)}-${n}.jpg`;
							return body.include_image_descriptions === true ? { url, description: `Picture ${n} of ${query}` } : url;
						})
					: [];
			const depth = body.search_depth ?? 'basic';
			const answerLevel = body.include_answer === true ? 'basic' : body.include_answer || undefined;
			return {
				status: 200,
				body: {
					query,
					follow_up_questions: null,
					answer: answerLevel ? `${answerLevel === 'advanced' ? 'Detailed answer' : 'Answer'} about ${query}.` : null,
					images,
					results,
					...(body.auto_parameters === true && { auto_parameters: { topic: body.topic ?? 'general', search_depth: depth } }),
					response_time: 0.42,
					...usage(body, depth === 'advanced' ? 2 : 1),
					request_id: requestId,
				},
			};
		}
		if (path === '/extract') {
			const urls: unknown[] = Array.isArray(body.urls) ? body.urls : typeof body.urls === 'string' ? [body.urls] : [];
			if (urls.length === 0) return error(400, 'urls is required.');
			if (urls.length > 20) return error(400, 'Maximum 20 URLs are allowed.');
			const results: unknown[] = [];
			const failed: unknown[] = [];
			for (const entry of urls) {
				const url = String(entry);
				if (/fail|missing|404/.test(url)) {
					failed.push({ url, error: 'Failed to fetch url' });
					continue;
				}
				results.push({
					url,
					title: titleOf(withScheme(url)),
					raw_content: pageContent(withScheme(url), body.format, body.query, body.query ? (body.chunks_per_source ?? 3) : undefined),
					images: body.include_images === true ? [`${withScheme(url).replace(/\/$/, '')}/image.png`] : [],
					...(body.include_favicon === true && { favicon: `${new URL(withScheme(url)).origin}/favicon.ico` }),
				});
			}
			const credits = Math.ceil(results.length / 5) * (body.extract_depth === 'advanced' ? 2 : 1);
			return { status: 200, body: { results, failed_results: failed, response_time: 0.31, ...usage(body, credits), request_id: requestId } };
		}
		const traversal = traverse(body);
		if ('status' in traversal) return traversal;
		const credits = Math.ceil(traversal.pages.length / 10) * (body.instructions ? 2 : 1);
		if (path === '/map') {
			return { status: 200, body: { base_url: traversal.base, results: traversal.pages, response_time: 0.73, ...usage(body, credits), request_id: requestId } };
		}
		const chunks = body.instructions ? (body.chunks_per_source ?? 3) : undefined;
		const results = traversal.pages.map((url) => ({
			url,
			raw_content: pageContent(url, body.format, body.instructions, chunks),
			images: body.include_images === true ? [`${url.replace(/\/$/, '')}/image.png`] : [],
			...(body.include_favicon === true && { favicon: `${new URL(url).origin}/favicon.ico` }),
		}));
		return { status: 200, body: { base_url: traversal.base, results, response_time: 1.12, ...usage(body, credits), request_id: requestId } };
	};

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			let body: any;
			let unparsable = false;
			if (text !== '') {
				try {
					body = JSON.parse(text);
				} catch {
					unparsable = true;
					body = text;
				}
			}
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(req.headers)) {
				if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
			}
			const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
			const method = req.method ?? 'GET';
			requests.push({ method, path, headers, body });
			const result: Answer = unparsable ? error(400, 'Request body is not valid JSON.') : answer(method, path, headers, body);
			const send = () => {
				if (res.destroyed) return;
				res.writeHead(result.status, { 'content-type': 'application/json', ...result.headers });
				res.end(JSON.stringify(result.body));
			};
			const stall = stalls.shift();
			if (stall) setTimeout(send, stall).unref();
			else send();
		});
	});

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		failNext(n, status, headers = {}) {
			for (let i = 0; i < n; i++) failures.push({ status, headers });
		},
		stallNext(n, ms) {
			for (let i = 0; i < n; i++) stalls.push(ms);
		},
		close() {
			server.closeAllConnections();
			return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
		},
	};
}
