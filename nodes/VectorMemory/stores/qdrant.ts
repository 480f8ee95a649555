// Qdrant backend over its REST API: one collection per namespace (cosine), payload { id, text, metadata }.
import { conditionOperators } from '../filter';
import { sendInBatches } from './batches';
import { contentIdFor } from './ids';
import type { Metadata, MetadataFilter, NamespaceStats, SearchHit, SearchRequest, StoreBackend, VectorRecord } from '../types';
import { RestClient, type RestOptions } from './rest';

export interface QdrantStoreOptions extends Omit<RestOptions, 'headers'> {
	apiKey?: string;
}

const CREDENTIAL = 'Qdrant (Agentic) API';
/** A quarter of Qdrant's default 32 MB request limit, leaving room for servers set lower. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Qdrant accepts only UUIDs and integers as point ids; other ids map to a UUID derived from them. */
export function qdrantPointId(id: string): string {
	return UUID.test(id) ? id.toLowerCase() : contentIdFor(`qdrant-id:${id}`);
}

/** Qdrant's filter: every condition in `must`, on payload paths under "metadata.". */
export function qdrantFilter(filter: MetadataFilter | undefined): Record<string, unknown> | undefined {
	const must: Array<Record<string, unknown>> = [];
	for (const [field, condition] of Object.entries(filter ?? {})) {
		const key = `metadata.${field}`;
		const ops = conditionOperators(condition);
		if (ops.$eq !== undefined) must.push({ key, match: { value: ops.$eq } });
		if (ops.$in !== undefined) must.push({ key, match: { any: ops.$in } });
		const range: Record<string, number> = {};
		if (ops.$gt !== undefined) range.gt = ops.$gt;
		if (ops.$gte !== undefined) range.gte = ops.$gte;
		if (ops.$lt !== undefined) range.lt = ops.$lt;
		if (ops.$lte !== undefined) range.lte = ops.$lte;
		if (Object.keys(range).length) must.push({ key, range });
	}
	return must.length ? { must } : undefined;
}

export class QdrantStore implements StoreBackend {
	readonly name = 'qdrant';
	private readonly rest: RestClient;

	constructor(options: QdrantStoreOptions) {
		this.rest = new RestClient('Qdrant', CREDENTIAL, { ...options, headers: options.apiKey ? { 'api-key': options.apiKey } : {} }, [options.apiKey]);
	}

	private path(namespace: string, rest = ''): string {
		return `/collections/${encodeURIComponent(namespace)}${rest}`;
	}

	private async info(namespace: string) {
		return this.rest.call<{ result: { points_count?: number; config: { params: { vectors: { size: number } } } } }>('GET', this.path(namespace), undefined, true);
	}

	async insert(namespace: string, records: VectorRecord[]): Promise<void> {
		if (records.length === 0) return;
		if (!(await this.info(namespace))) {
			// Two first writers race to create the collection; Qdrant answers the later one 409, which is no failure.
			await this.rest.call('PUT', this.path(namespace), { vectors: { size: records[0].vector.length, distance: 'Cosine' } }, false, [409]);
		}
		// Each request with wait=true: Qdrant applies it as one operation and answers once it is stored. Qdrant refuses
		// requests over 32 MB (its default max_request_size_mb), about 1000 OpenAI-sized vectors as JSON: larger batches
		// go in several requests, and upserting the same ids again repairs one that stopped part way.
		const points = records.map((r) => ({ id: qdrantPointId(r.id), vector: r.vector, payload: { id: r.id, text: r.text, metadata: r.metadata } }));
		await sendInBatches(points, { maxBytes: MAX_REQUEST_BYTES }, (batch) => this.rest.call('PUT', this.path(namespace, '/points?wait=true'), { points: batch }));
	}

	async search(namespace: string, { vector, topK, filter }: SearchRequest): Promise<SearchHit[]> {
		const response = await this.rest.call<{ result: { points: Array<{ id: string; score: number; payload?: { id?: string; text?: string; metadata?: Metadata } }> } }>(
			'POST',
			this.path(namespace, '/points/query'),
			{ query: vector, limit: topK, filter: qdrantFilter(filter), with_payload: true },
			true,
		);
		return (response?.result.points ?? []).map((p) => ({
			id: p.payload?.id ?? String(p.id),
			text: p.payload?.text ?? '',
			metadata: p.payload?.metadata ?? {},
			score: p.score,
		}));
	}

	private async count(namespace: string, filter?: Record<string, unknown>): Promise<number> {
		const response = await this.rest.call<{ result: { count: number } }>('POST', this.path(namespace, '/points/count'), { filter, exact: true }, true);
		return response?.result.count ?? 0;
	}

	async delete(namespace: string, selector: { ids?: string[]; filter?: MetadataFilter }): Promise<number> {
		if (!(await this.info(namespace))) return 0;
		const should: Array<Record<string, unknown>> = [];
		if (selector.ids?.length) should.push({ has_id: selector.ids.map(qdrantPointId) });
		const metadataFilter = qdrantFilter(selector.filter);
		if (metadataFilter) should.push(metadataFilter);
		const filter = { should };
		const matched = await this.count(namespace, filter);
		if (matched > 0) await this.rest.call('POST', this.path(namespace, '/points/delete?wait=true'), { filter });
		return matched;
	}

	async clear(namespace: string): Promise<void> {
		await this.rest.call('DELETE', this.path(namespace), undefined, true);
	}

	async stats(namespace: string): Promise<NamespaceStats> {
		const info = await this.info(namespace);
		if (!info) return { count: 0, dimensions: null };
		const count = await this.count(namespace);
		return { count, dimensions: info.result.config.params.vectors.size };
	}

	async close(): Promise<void> {}
}
