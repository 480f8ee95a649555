// The tools the agent can call: built-ins (web search and page extraction through Tavily, current date/time) and adapters for LangChain-style tools.
import { toolSchemaToJsonSchema } from './schema';
import type { AgentTool, JsonSchema } from './types';

/** What the web tools need from a Tavily client (the Tavily node's TavilyClient fits). */
export interface WebSearchClient {
	search(
		params: { query: string; maxResults?: number; topic?: 'general' | 'news' | 'finance'; timeRange?: 'day' | 'week' | 'month' | 'year'; includeAnswer?: boolean },
		signal?: AbortSignal,
	): Promise<{ answer?: string | null; results: Array<{ title: string; url: string; content: string; published_date?: string }> }>;
	extract(params: { urls: string[] }, signal?: AbortSignal): Promise<{ results: Array<{ url: string; raw_content: string }>; failed_results: Array<{ url: string; error: string }> }>;
}

export function webSearchTool(client: WebSearchClient, options: { maxResults?: number } = {}): AgentTool {
	return {
		name: 'web_search',
		description:
			'Search the web for current information. Returns an answer summary when available and a list of results, each with title, url and content snippet. Cite the urls you use.',
		parameters: {
			type: 'object',
			properties: {
				query: { type: 'string', minLength: 1, description: 'What to search for, as a search engine query.' },
				topic: { type: 'string', enum: ['general', 'news', 'finance'], description: 'Kind of search; "news" for recent events.' },
				time_range: { type: 'string', enum: ['day', 'week', 'month', 'year'], description: 'Only results from this recent period.' },
			},
			required: ['query'],
			additionalProperties: false,
		},
		async run(args, context) {
			const response = await client.search(
				{
					query: String(args.query),
					maxResults: options.maxResults ?? 5,
					topic: args.topic as 'general' | 'news' | 'finance' | undefined,
					timeRange: args.time_range as 'day' | 'week' | 'month' | 'year' | undefined,
					includeAnswer: true,
				},
				context.signal,
			);
			return {
				answer: response.answer ?? undefined,
				results: response.results.map((r) => ({ title: r.title, url: r.url, content: r.content, published_date: r.published_date })),
			};
		},
	};
}

/** Page text sent back to the model is cut here: whole pages would eat the token budget. */
const EXTRACT_MAX_CHARS_PER_PAGE = 8000;

export function webExtractTool(client: WebSearchClient): AgentTool {
	return {
		name: 'web_extract',
		description: 'Read the text content of up to 5 web pages given their URLs (for example URLs found by web_search).',
		parameters: {
			type: 'object',
			properties: {
				urls: { type: 'array', items: { type: 'string', pattern: '^https?://' }, minItems: 1, maxItems: 5, description: 'Full http(s) URLs of the pages to read.' },
			},
			required: ['urls'],
			additionalProperties: false,
		},
		async run(args, context) {
			const response = await client.extract({ urls: args.urls as string[] }, context.signal);
			return {
				results: response.results.map((r) => ({
					url: r.url,
					content: r.raw_content.length > EXTRACT_MAX_CHARS_PER_PAGE ? `${Array.from(r.raw_content).slice(0, EXTRACT_MAX_CHARS_PER_PAGE).join('')}…` : r.raw_content,
				})),
				failed: response.failed_results,
			};
		},
	};
}

export function dateTimeTool(now: () => Date = () => new Date()): AgentTool {
	return {
		name: 'current_datetime',
		description: 'Get the current date and time, in UTC and optionally in an IANA time zone such as "Europe/Paris".',
		parameters: {
			type: 'object',
			properties: { timezone: { type: 'string', description: 'IANA time zone name, e.g. "America/New_York".' } },
			additionalProperties: false,
		},
		async run(args) {
			const date = now();
			const result: Record<string, unknown> = { utc: date.toISOString(), weekday: date.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }) };
			if (typeof args.timezone === 'string' && args.timezone) {
				// An unknown zone throws RangeError, which the loop hands back to the model to fix.
				const local = new Intl.DateTimeFormat('en-CA', {
					timeZone: args.timezone,
					year: 'numeric',
					month: '2-digit',
					day: '2-digit',
					hour: '2-digit',
					minute: '2-digit',
					second: '2-digit',
					hour12: false,
					weekday: 'long',
				}).format(date);
				result.timezone = args.timezone;
				result.local = local;
			}
			return result;
		},
	};
}

/** A LangChain-style tool as n8n's tool sub-nodes supply them: StructuredTool / DynamicTool instances. */
export interface InvokableTool {
	name: string;
	description?: string;
	schema?: unknown;
	invoke(input: unknown, config?: unknown): Promise<unknown>;
}

/** A toolkit groups several tools (e.g. an MCP client): `getTools()` or a `tools` array. */
export function flattenTools(connected: unknown): InvokableTool[] {
	const out: InvokableTool[] = [];
	const visit = (value: unknown) => {
		if (!value) return;
		if (Array.isArray(value)) {
			value.forEach(visit);
			return;
		}
		const candidate = value as Partial<InvokableTool> & { getTools?: () => unknown; tools?: unknown };
		if (typeof candidate.invoke === 'function' && typeof candidate.name === 'string') {
			out.push(candidate as InvokableTool);
			return;
		}
		if (typeof candidate.getTools === 'function') visit(candidate.getTools());
		else if (Array.isArray(candidate.tools)) visit(candidate.tools);
	};
	visit(connected);
	return out;
}

export function fromInvokableTool(tool: InvokableTool): AgentTool {
	const parameters: JsonSchema = toolSchemaToJsonSchema(tool.schema);
	return {
		name: tool.name,
		description: tool.description || tool.name,
		parameters,
		async run(args, context) {
			return tool.invoke(args, { signal: context.signal });
		},
	};
}

/** OpenAI accepts tool names of letters, digits, _ and - (at most 64); names must be unique. */
export function uniqueToolNames(tools: AgentTool[]): AgentTool[] {
	const seen = new Set<string>();
	return tools.map((tool) => {
		const base = (tool.name.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'tool').slice(0, 60);
		let name = base;
		for (let n = 2; seen.has(name); n++) name = `${base}_${n}`;
		seen.add(name);
		return name === tool.name ? tool : { ...tool, name };
	});
}
