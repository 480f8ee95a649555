// Pinecone backend over one index's data-plane REST API: Vector Memory namespaces are Pinecone namespaces, the text rides in metadata.
import { AgenticError } from '../../shared/errors';
import { conditionOperators } from '../filter';
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
/** Pinecone's largest topK: the ceiling for finding what a filter matches before deleting it. */
const MAX_TOP_K = 10_000;
const MAX_UPSERT_RECORDS = 1000;
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

	constructor(options: PineconeStoreOptions) {
		if (!options.indexHost) {
			throw new AgenticError('invalid_input', 'The Pinecone index host is empty', {
				field: CREDENTIAL,
				description: `Copy the index host from the Pinecone console into the "${CREDENTIAL}" credential.`,
			});
		}
		const baseUrl = /^https?:\/\//.test(options.indexHost) ? options.indexHost : `https://${options.indexHost}`;
		this.rest = new RestClient('Pinecone', CREDENTIAL, { ...options, baseUrl, headers: { 'Api-Key': options.apiKey, 'X-Pinecone-API-Version': API_VERSION } }, [options.apiKey]);
	}

	async insert(namespace: string, records: VectorRecord[]): Promise<void> {
		// Pinecone takes up to 1000 records and 2 MB per upsert: 1536-dimension vectors as JSON fill 2 MB at about 60 records.
		// A batch over that goes in several requests; upserting the same ids again repairs one that stopped part way.
		let batch: object[] = [];
		let bytes = 0;
		const send = async () => {
			if (batch.length === 0) return;
			await this.rest.call('POST', '/vectors/upsert', { namespace, vectors: batch });
			batch = [];
			bytes = 0;
		};
		for (const r of records) {
			const vector = { id: r.id, values: r.vector, metadata: { ...r.metadata, [TEXT_KEY]: r.text } };
			const size = Buffer.byteLength(JSON.stringify(vector)) + 1;
			if (batch.length >= MAX_UPSERT_RECORDS || (batch.length > 0 && bytes + size > MAX_UPSERT_BYTES)) await send();
			batch.push(vector);
			bytes += size;
		}
		await send();
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
		const matched = new Set<string>();
		const wanted = selector.ids ?? [];
		// Pinecone fetches at most 1000 ids per request.
		for (let i = 0; i < wanted.length; i += 1000) {
			const query = wanted.slice(i, i + 1000).map((id) => `ids=${encodeURIComponent(id)}`).join('&');
			const fetched = await this.rest.call<{ vectors?: Record<string, unknown> }>('GET', `/vectors/fetch?namespace=${encodeURIComponent(namespace)}&${query}`);
			Object.keys(fetched?.vectors ?? {}).forEach((id) => matched.add(id));
		}
		if (selector.filter) {
			const { dimensions } = await this.stats(namespace);
			if (dimensions) {
				const probe = new Array<number>(dimensions).fill(1 / Math.sqrt(dimensions));
				// Ids only: with metadata (the text included) 10,000 matches would pass Pinecone's 4 MB query result limit.
				(await this.query(namespace, probe, MAX_TOP_K, selector.filter, false)).forEach((m) => matched.add(m.id));
			}
		}
		const ids = [...matched];
		for (let i = 0; i < ids.length; i += 1000) {
			await this.rest.call('POST', '/vectors/delete', { namespace, ids: ids.slice(i, i + 1000) });
		}
		return ids.length;
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
