// Pinecone backend over one index's data-plane REST API: Vector Memory namespaces are Pinecone namespaces, the text rides in metadata.
import { AgenticError } from '../../shared/errors';
import { conditionOperators } from '../filter';
import { sendInBatches, sizeLimitedBatches } from './batches';
import type { Metadata, MetadataFilter, NamespaceStats, SearchHit, SearchRequest, StoreBackend, VectorRecord } from '../types';
import { RestClient, type RestOptions } from './rest';

export interface PineconeStoreOptions extends Omit<RestOptions, 'headers' | 'baseUrl'> {
	apiKey: string;
	/** The index host from the Pinecone console. */
	indexHost: string;
}

const CREDENTIAL = 'Pinecone (Agentic) API';
/** Metadata key holding the chunk text (Pinecone has no document field). */
const TEXT_KEY = '_text';
const API_VERSION = '2025-04';
/** Pinecone's largest topK: the most matches of a filter one query lists before deleting them. */
const MAX_TOP_K = 10_000;
const MAX_UPSERT_RECORDS = 1000;
/** Pinecone fetches and deletes at most 1000 ids per request. */
const MAX_IDS_PER_REQUEST = 1000;
/** Extra rounds, and the wait before each, for a serverless index that still lists records it has deleted. */
const STALE_ROUNDS = 3;
const STALE_WAIT_MS = 2000;
/** 2 MB, less room for the request's envelope. */
const MAX_UPSERT_BYTES = 2_000_000 - 1024;

export function pineconeFilter(filter: MetadataFilter | undefined): Record<string, unknown> | undefined {
	const out: Record<string, unknown> = {};
	for (const [field, condition] of Object.entries(filter ?? {})) {
		const ops = Object.fromEntries(Object.entries(conditionOperators(condition)).filter(([, v]) => v !== undefined));
		out[field] = ops;
	}
	return Object.keys(out).length ? out : undefined;
}

export class PineconeStore implements StoreBackend {
	readonly name = 'pinecone';
	private readonly rest: RestClient;
	private readonly sleep: (ms: number) => Promise<void>;

	constructor(options: PineconeStoreOptions) {
		if (!options.indexHost) {
			throw new AgenticError('invalid_input', 'The Pinecone index host is empty', {
				field: CREDENTIAL,
				description: `Copy the index host from the Pinecone console into the "${CREDENTIAL}" credential.`,
			});
		}
		const baseUrl = /^https?:\/\//.test(options.indexHost) ? options.indexHost : `https://${options.indexHost}`;
		this.rest = new RestClient('Pinecone', CREDENTIAL, { ...options, baseUrl, headers: { 'Api-Key': options.apiKey, 'X-Pinecone-API-Version': API_VERSION } }, [options.apiKey]);
		this.sleep = options.retry?.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
	}

	async insert(namespace: string, records: VectorRecord[]): Promise<void> {
		// Pinecone takes up to 1000 records and 2 MB per upsert: 1536-dimension vectors as JSON fill 2 MB at about 60 records.
		// A batch over that goes in several requests; upserting the same ids again repairs one that stopped part way.
		const vectors = records.map((r) => ({ id: r.id, values: r.vector, metadata: { ...r.metadata, [TEXT_KEY]: r.text } }));
		await sendInBatches(vectors, { maxItems: MAX_UPSERT_RECORDS, maxBytes: MAX_UPSERT_BYTES }, (batch) =>
			this.rest.call('POST', '/vectors/upsert', { namespace, vectors: batch }),
		);
	}

	private async query(namespace: string, vector: number[], topK: number, filter: MetadataFilter | undefined, includeMetadata = true) {
		const response = await this.rest.call<{ matches?: Array<{ id: string; score: number; metadata?: Record<string, unknown> }> }>('POST', '/query', {
			namespace,
			vector,
			topK,
			filter: pineconeFilter(filter),
			includeMetadata,
			includeValues: false,
		});
		return response?.matches ?? [];
	}

	async search(namespace: string, { vector, topK, filter }: SearchRequest): Promise<SearchHit[]> {
		return (await this.query(namespace, vector, topK, filter)).map((m) => {
			const { [TEXT_KEY]: text, ...metadata } = m.metadata ?? {};
			return { id: m.id, text: typeof text === 'string' ? text : '', metadata: metadata as Metadata, score: m.score };
		});
	}

	async delete(namespace: string, selector: { ids?: string[]; filter?: MetadataFilter }): Promise<number> {
		// Pinecone's delete says nothing of what it removed: find the ids first, then delete exactly those.
		const deleted = new Set<string>();
		for (const ids of sizeLimitedBatches(selector.ids ?? [], { maxItems: MAX_IDS_PER_REQUEST })) {
			const query = ids.map((id) => `ids=${encodeURIComponent(id)}`).join('&');
			const fetched = await this.rest.call<{ vectors?: Record<string, unknown> }>('GET', `/vectors/fetch?namespace=${encodeURIComponent(namespace)}&${query}`);
			Object.keys(fetched?.vectors ?? {}).forEach((id) => deleted.add(id));
		}
		await this.deleteIds(namespace, [...deleted]);
		if (selector.filter) await this.deleteMatching(namespace, selector.filter, deleted);
		return deleted.size;
	}

	/**
	 * A query lists at most 10,000 matches (Pinecone's largest topK), so the filter is asked again after each round of
	 * deletes until a round lists fewer than that: then every match has been seen. Serverless indexes may list records
	 * for a few seconds after their delete; a round that lists only those waits before asking again. The rounds are
	 * bounded by the namespace's size: when they run out, the error says how many went and that more are left.
	 */
	private async deleteMatching(namespace: string, filter: MetadataFilter, deleted: Set<string>): Promise<void> {
		const { count, dimensions } = await this.stats(namespace);
		if (!dimensions || count === 0) return;
		// Any vector will do: with the filter, only membership matters, not the ranking.
		const probe = new Array<number>(dimensions).fill(1 / Math.sqrt(dimensions));
		const rounds = Math.ceil(count / MAX_TOP_K) + STALE_ROUNDS;
		const before = deleted.size;
		for (let round = 0; round < rounds; round++) {
			// Ids only: with metadata (the text included) 10,000 matches would pass Pinecone's 4 MB query result limit.
			const listed = await this.query(namespace, probe, MAX_TOP_K, filter, false);
			const fresh = listed.map((m) => m.id).filter((id) => !deleted.has(id));
			await this.deleteIds(namespace, fresh);
			fresh.forEach((id) => deleted.add(id));
			if (listed.length < MAX_TOP_K) return;
			if (fresh.length === 0) await this.sleep(STALE_WAIT_MS);
		}
		throw new AgenticError('upstream', `Deleted ${deleted.size - before} records matching the filter from Pinecone namespace "${namespace}", but more still match`, {
			field: 'filter',
			description: `Pinecone lists at most ${MAX_TOP_K} matches at a time and had not caught up after ${rounds} rounds. Run the Delete again to remove the rest.`,
		});
	}

	private async deleteIds(namespace: string, ids: string[]): Promise<void> {
		await sendInBatches(ids, { maxItems: MAX_IDS_PER_REQUEST }, (batch) => this.rest.call('POST', '/vectors/delete', { namespace, ids: batch }));
	}

	async clear(namespace: string): Promise<void> {
		const { count } = await this.stats(namespace);
		if (count > 0) await this.rest.call('POST', '/vectors/delete', { namespace, deleteAll: true });
	}

	async stats(namespace: string): Promise<NamespaceStats> {
		const response = await this.rest.call<{ namespaces?: Record<string, { vectorCount?: number }>; dimension?: number }>('POST', '/describe_index_stats', {});
		return { count: response?.namespaces?.[namespace]?.vectorCount ?? 0, dimensions: response?.dimension ?? null };
	}

	async close(): Promise<void> {}
}
