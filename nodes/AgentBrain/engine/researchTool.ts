// The built-in Deep Research (Tavily) tool: the model hands Tavily a research question and gets back a cited report.
import type { AgentTool } from './types';

/** What the tool needs from a Tavily client (the Tavily node's TavilyClient fits). */
export interface DeepResearchClient {
	research(
		params: { input: string; model?: 'mini' | 'pro' | 'auto' },
		wait?: { signal?: AbortSignal },
	): Promise<{ content: unknown; sources: Array<{ title?: string; url: string }> }>;
}

export function deepResearchTool(client: DeepResearchClient): AgentTool {
	return {
		name: 'deep_research',
		description:
			'Have Tavily research a question in depth: it searches and reads many sources and returns a report with its sources. Takes 30 s to a few minutes, so use web_search for quick facts and this for comparisons, overviews and questions that need many sources. Cite the source urls you use.',
		parameters: {
			type: 'object',
			properties: {
				input: { type: 'string', minLength: 1, description: 'The research question or task, in full sentences.' },
				model: { type: 'string', enum: ['mini', 'pro'], description: '"mini" for a narrow question (faster), "pro" for a broad or comparative one.' },
			},
			required: ['input'],
			additionalProperties: false,
		},
		async run(args, context) {
			const report = await client.research({ input: String(args.input), model: args.model as 'mini' | 'pro' | undefined }, { signal: context.signal });
			return { report: report.content, sources: report.sources.map(({ title, url }) => ({ title, url })) };
		},
	};
}
