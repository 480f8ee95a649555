// Chroma backend over its v2 REST API: one collection per namespace, cosine space, texts as documents.
import { AgenticError } from '../../shared/errors';
import { conditionOperators } from '../filter';
import type { Metadata, MetadataFilter, NamespaceStats, SearchHit, SearchRequest, StoreBackend, VectorRecord } from '../types';
import { RestClient, type RestOptions } from './rest';

export interface ChromaStoreOptions extends Omit<RestOptions, 'headers'> {
	apiKey?: string;
	tenant?: string;
	database?: string;
}

const CREDENTIAL = 'Chroma (Agentic) API';

/** Chroma's `where`: one operator per field, several fields joined with $and. */
export function chromaWhere(filter: MetadataFilter | undefined): Record<string, unknown> | undefined {
	const clauses: Array<Record<string, unknown>> = [];
	for (const [field, condition] of Object.entries(filter ?? {})) {
		for (const [op, value] of Object.entries(conditionOperators(condition))) {
			if (value !== undefined) clauses.push({ [field]: { [op]: value } });
		}
	}
	if (clauses.length === 0) return undefined;
	return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

interface Collection {
	id: string;
	dimension?: number | null;
}

export class ChromaStore implements StoreBackend {
	readonly name = 'chroma';
	private readonly rest: RestClient;
	private readonly base: string;

	constructor(options: ChromaStoreOptions) {
		this.rest = new RestClient('Chroma', CREDENTIAL, { ...options, headers: options.apiKey ? { 'x-chroma-token': options.apiKey } : {} }, [options.apiKey]);
		const tenant = encodeURIComponent(options.tenant || 'default_tenant');
		const database = encodeURIComponent(options.database || 'default_database');
		this.base = `/api/v2/tenants/${tenant}/databases/${database}/collections`;
	}

	private collectionName(namespace: string): string {
		// Chroma wants 3 to 512 characters ending with a letter or digit. Other namespaces are wrapped in dots, which no
		// namespace contains, so "ab" can never land in the collection of a namespace spelled "ns_ab".
		return namespace.length >= 3 && /[A-Za-z0-9]$/.test(namespace) ? namespace : `ns.${namespace}.0`;
	}

	private async find(namespace: string): Promise<Collection | undefined> {
		return this.rest.call<Collection>('GET', `${this.base}/${encodeURIComponent(this.collectionName(namespace))}`, undefined, true);
	}

	async insert(namespace: string, records: VectorRecord[]): Promise<void> {
		if (records.length === 0) return;
		const collection = (await this.rest.call<Collection>('POST', this.base, {
			name: this.collectionName(namespace),
			get_or_create: true,
			configuration: { hnsw: { space: 'cosine' } },
		}))!;
		// One request per call keeps the batch all-or-nothing (Chroma applies a request atomically).
		await this.rest.call('POST', `${this.base}/${collection.id}/upsert`, {
			ids: records.map((r) => r.id),
			embeddings: records.map((r) => r.vector),
			documents: records.map((r) => r.text),
			metadatas: records.map((r) => (Object.keys(r.metadata).length ? r.metadata : null)),
		});
	}

	async search(namespace: string, { vector, topK, filter }: SearchRequest): Promise<SearchHit[]> {
		const collection = await this.find(namespace);
		if (!collection) return [];
		const result = (await this.rest.call<{
			ids: string[][];
			documents?: Array<Array<string | null>>;
			metadatas?: Array<Array<Metadata | null>>;
			distances?: Array<Array<number | null>>;
		}>('POST', `${this.base}/${collection.id}/query`, {
			query_embeddings: [vector],
			n_results: topK,
			where: chromaWhere(filter),
			include: ['documents', 'metadatas', 'distances'],
		}))!;
		return (result.ids[0] ?? []).map((id, i) => ({
			id,
			text: result.documents?.[0]?.[i] ?? '',
			metadata: result.metadatas?.[0]?.[i] ?? {},
			score: 1 - (result.distances?.[0]?.[i] ?? 1),
		}));
	}

	async delete(namespace: string, selector: { ids?: string[]; filter?: MetadataFilter }): Promise<number> {
		const collection = await this.find(namespace);
		if (!collection) return 0;
		// Chroma's delete does not say how many went, so look them up first (ids OR filter, as in every backend).
		const matched = new Set<string>();
		if (selector.ids?.length) {
			const got = await this.rest.call<{ ids: string[] }>('POST', `${this.base}/${collection.id}/get`, { ids: selector.ids, include: [] });
			got!.ids.forEach((id) => matched.add(id));
		}
		if (selector.filter) {
			const got = await this.rest.call<{ ids: string[] }>('POST', `${this.base}/${collection.id}/get`, { where: chromaWhere(selector.filter), include: [] });
			got!.ids.forEach((id) => matched.add(id));
		}
		if (matched.size > 0) await this.rest.call('POST', `${this.base}/${collection.id}/delete`, { ids: [...matched] });
		return matched.size;
	}

	async clear(namespace: string): Promise<void> {
		await this.rest.call('DELETE', `${this.base}/${encodeURIComponent(this.collectionName(namespace))}`, undefined, true);
	}

	async stats(namespace: string): Promise<NamespaceStats> {
		const collection = await this.find(namespace);
		if (!collection) return { count: 0, dimensions: null };
		const count = await this.rest.call<number>('GET', `${this.base}/${collection.id}/count`);
		if (typeof count !== 'number') throw new AgenticError('upstream', 'Chroma returned no count');
		return { count, dimensions: count > 0 ? (collection.dimension ?? null) : null };
	}

	async close(): Promise<void> {}
}
