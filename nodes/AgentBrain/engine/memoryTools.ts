// The recall and remember tools: the model searches and fills a Vector Memory namespace through the same engine as the Vector Memory node.
import { DEFAULT_TOP_K } from '../../VectorMemory/defaults';
import type { VectorMemory } from '../../VectorMemory/memory';
import type { Metadata } from '../../VectorMemory/types';
import type { AgentTool } from './types';

/** The most matches the model may ask for at once: each one costs it tokens (the Vector Memory node allows more). */
const MAX_RECALLED = 20;

const FILTER_HELP =
	'Only return texts whose metadata matches, e.g. {"source": "faq"} (equality), {"lang": {"$in": ["en", "fr"]}}, {"year": {"$gte": 2020, "$lt": 2025}}. Operators: $eq, $in, $gt, $gte, $lt, $lte. All conditions must hold.';

/** A recalled text's link, when its metadata has one: the model cites it and Require Citations can check it. */
function sourceUrl(metadata: Metadata): string | undefined {
	for (const key of ['url', 'source']) {
		const value = metadata[key];
		if (typeof value === 'string' && /^https?:\/\//i.test(value.trim())) return value.trim();
	}
	return undefined;
}

export function recallTool(memory: VectorMemory, namespace: string): AgentTool {
	return {
		name: 'recall',
		description:
			'Search long-term memory for stored texts (documents, facts, notes saved earlier) closest in meaning to a query. Returns the best matches with their text, metadata, similarity score (1 = identical, 0 = unrelated) and id. Call it before answering questions the memory may know about. When a result has a url, cite that url for facts taken from it.',
		parameters: {
			type: 'object',
			properties: {
				query: { type: 'string', minLength: 1, description: 'What to look for, as a question or a few words; matched by meaning, not exact words.' },
				top_k: { type: 'integer', minimum: 1, maximum: MAX_RECALLED, description: `How many matches to return (default ${DEFAULT_TOP_K}).` },
				filter: { type: 'object', description: FILTER_HELP },
			},
			required: ['query'],
			additionalProperties: false,
		},
		async run(args) {
			const filter = args.filter && Object.keys(args.filter as object).length > 0 ? args.filter : undefined;
			const hits = await memory.query(namespace, String(args.query), { topK: (args.top_k as number | undefined) ?? DEFAULT_TOP_K, filter });
			if (hits.length === 0) return { results: [], note: 'Nothing in memory matches. Answer from other sources, or say that memory holds nothing on this.' };
			return {
				results: hits.map((hit) => {
					const url = sourceUrl(hit.metadata);
					return { id: hit.id, text: hit.text, score: Math.round(hit.score * 10_000) / 10_000, metadata: hit.metadata, ...(url ? { url } : {}) };
				}),
			};
		},
	};
}

export function rememberTool(memory: VectorMemory, namespace: string): AgentTool {
	return {
		name: 'remember',
		description:
			'Save a text to long-term memory so later runs can find it with recall: a fact, a decision, a user preference, a summary. Write it so it makes sense on its own, without this conversation. Saving the same text again updates it rather than duplicating it. Returns the id it is stored under.',
		parameters: {
			type: 'object',
			properties: {
				text: { type: 'string', minLength: 1, description: 'The self-contained text to store.' },
				metadata: {
					type: 'object',
					additionalProperties: { type: ['string', 'number', 'boolean'] },
					description: 'Optional labels to filter on later, e.g. {"topic": "billing", "user": "ana"}; a "url" is cited when the text is recalled.',
				},
			},
			required: ['text'],
			additionalProperties: false,
		},
		async run(args) {
			// The engine's default chunking is the Vector Memory node's, so a text saved by either node is split and identified alike.
			const report = await memory.upsert(namespace, [{ text: String(args.text), metadata: args.metadata as Record<string, unknown> | undefined }]);
			if (report.ids.length === 0) throw new Error('the text is empty: give the text to store');
			return report.ids.length === 1 ? { stored: true, id: report.ids[0] } : { stored: true, id: report.ids[0], ids: report.ids, note: `Stored in ${report.ids.length} parts.` };
		},
	};
}
