// The Vector Memory engine: chunks and embeds texts, gives them stable ids, and checks every request before a backend sees it.
import { AgenticError } from '../shared/errors';
import { chunkText, type ChunkOptions } from './chunking';
import { DEFAULT_CHUNKING, DEFAULT_TOP_K, MAX_TOP_K } from './defaults';
import { checkVectors, type Embedder } from './embeddings';
import { dimensionMismatch } from './errors';
import { validateFilter } from './filter';
import { contentIdFor } from './stores/ids';
import type { Metadata, MetadataFilter, NamespaceStats, SearchHit, StoreBackend, VectorRecord } from './types';

export interface MemoryDocument {
	text: string;
	metadata?: Record<string, unknown>;
	/** The caller's id for the document; chunks get `<id>#<n>`. Without it, ids come from the content. */
	id?: string;
}

export interface InsertReport {
	/** Ids written, one per chunk, in document order. */
	ids: string[];
	chunks: number;
	/** Documents whose text was empty or only whitespace. */
	skippedEmpty: number;
}

export interface QueryOptions {
	topK?: number;
	/** Hits scoring below this are dropped. */
	minScore?: number;
	filter?: unknown;
}

/** Candidate chunk ids tried per document and round when removing chunks an updated document no longer has. */
const STALE_WINDOW = 8;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function checkNamespace(namespace: string): string {
	if (!NAMESPACE.test(namespace)) {
		throw new AgenticError('invalid_input', `Invalid namespace "${namespace}"`, {
			field: 'namespace',
			description: 'Use 1 to 63 letters, digits, "_" or "-", starting with a letter or digit.',
		});
	}
	return namespace;
}

function cleanMetadata(metadata: Record<string, unknown> | undefined): Metadata {
	const out: Metadata = {};
	for (const [key, value] of Object.entries(metadata ?? {})) {
		if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
			out[key] = value;
		} else if (value !== null && value !== undefined) {
			// Backends filter only on scalars; keep the rest readable rather than dropping it.
			out[key] = JSON.stringify(value);
		}
	}
	return out;
}

export class VectorMemory {
	constructor(
		readonly store: StoreBackend,
		private readonly embedder: Embedder,
	) {}

	/**
	 * Inserts or updates documents: all their chunks are embedded first and written in one batch,
	 * so an embedding failure writes nothing.
	 */
	async upsert(namespace: string, documents: MemoryDocument[], chunking: ChunkOptions = DEFAULT_CHUNKING): Promise<InsertReport> {
		checkNamespace(namespace);
		const pending: Array<Omit<VectorRecord, 'vector'>> = [];
		/** Chunks per caller id, for removing the chunks an updated document no longer has. */
		const chunkCounts = new Map<string, number>();
		let skippedEmpty = 0;
		for (const doc of documents) {
			const text = typeof doc.text === 'string' ? doc.text : '';
			const chunks = chunkText(text, chunking);
			if (chunks.length === 0) {
				skippedEmpty++;
				continue;
			}
			if (doc.id) chunkCounts.set(doc.id, chunks.length);
			const metadata = cleanMetadata(doc.metadata);
			chunks.forEach((chunk, index) => {
				const id = doc.id ? (chunks.length === 1 ? doc.id : `${doc.id}#${index}`) : contentIdFor(chunk);
				pending.push({ id, text: chunk, metadata: chunks.length > 1 ? { ...metadata, chunk: index } : metadata });
			});
		}
		// The same chunk twice in one batch is one record: the last one wins, as on re-insert.
		const byId = new Map(pending.map((record) => [record.id, record]));
		const unique = [...byId.values()];
		if (unique.length === 0) return { ids: [], chunks: 0, skippedEmpty };
		const vectors = checkVectors(await this.embedder.embed(unique.map((r) => r.text)), unique.length, this.embedder.source);
		await this.checkDimensions(namespace, vectors[0].length);
		await this.store.insert(
			namespace,
			unique.map((record, i) => ({ ...record, vector: vectors[i] })),
		);
		await this.removeStaleChunks(namespace, chunkCounts, new Set(byId.keys()));
		return { ids: pending.map((r) => r.id), chunks: unique.length, skippedEmpty };
	}

	/**
	 * A document stored again under its id may now have fewer chunks, or one instead of several: the chunks it no longer
	 * has are deleted after the new ones are written (so a failure never loses the document). Chunk numbers are
	 * contiguous, so windows of candidate ids are tried until one deletes nothing.
	 */
	private async removeStaleChunks(namespace: string, chunkCounts: Map<string, number>, written: Set<string>): Promise<void> {
		for (let round = 0; chunkCounts.size > 0; round++) {
			const candidates: string[] = [];
			for (const [id, count] of chunkCounts) {
				if (round === 0 && count > 1) candidates.push(id);
				const from = (count > 1 ? count : 0) + round * STALE_WINDOW;
				for (let k = from; k < from + STALE_WINDOW; k++) candidates.push(`${id}#${k}`);
			}
			const ids = candidates.filter((id) => !written.has(id));
			if (ids.length === 0 || (await this.store.delete(namespace, { ids })) === 0) return;
		}
	}

	async query(namespace: string, text: string, options: QueryOptions = {}): Promise<SearchHit[]> {
		checkNamespace(namespace);
		if (!text || !text.trim()) {
			throw new AgenticError('invalid_input', 'The query text is empty', { field: 'query', description: 'Map a field with the question to search for.' });
		}
		const filter = validateFilter(options.filter);
		const topK = options.topK ?? DEFAULT_TOP_K;
		if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
			throw new AgenticError('invalid_input', `Top K must be a whole number from 1 to ${MAX_TOP_K}, got ${topK}`, { field: 'topK' });
		}
		return this.search(namespace, await this.embedQuery(text), { topK, minScore: options.minScore, filter });
	}

	/** A question's vector, checked like stored ones. */
	async embedQuery(text: string): Promise<number[]> {
		const vectors = this.embedder.embedQuery ? [await this.embedder.embedQuery(text)] : await this.embedder.embed([text]);
		return checkVectors(vectors, 1, this.embedder.source)[0];
	}

	/** Search by a vector already at hand, embedded elsewhere. */
	async search(namespace: string, vector: number[], options: { topK: number; minScore?: number; filter?: MetadataFilter }): Promise<SearchHit[]> {
		checkNamespace(namespace);
		await this.checkDimensions(namespace, vector.length);
		const hits = await this.store.search(namespace, { vector, topK: options.topK, filter: options.filter });
		const minScore = options.minScore;
		return minScore === undefined ? hits : hits.filter((hit) => hit.score >= minScore);
	}

	async delete(namespace: string, selector: { ids?: string[]; filter?: unknown }): Promise<number> {
		checkNamespace(namespace);
		const filter = validateFilter(selector.filter);
		const ids = (selector.ids ?? []).filter((id) => id !== '');
		if (ids.length === 0 && (!filter || Object.keys(filter).length === 0)) {
			throw new AgenticError('invalid_input', 'Delete needs ids or a filter', {
				field: 'ids',
				description: 'Give the ids to delete, or a metadata filter; use the Clear operation to empty a namespace.',
			});
		}
		return this.store.delete(namespace, { ids: ids.length ? ids : undefined, filter });
	}

	async clear(namespace: string): Promise<void> {
		await this.store.clear(checkNamespace(namespace));
	}

	async stats(namespace: string): Promise<NamespaceStats> {
		return this.store.stats(checkNamespace(namespace));
	}

	private async checkDimensions(namespace: string, dims: number) {
		const { dimensions } = await this.store.stats(namespace);
		if (dimensions !== null && dimensions !== dims) throw dimensionMismatch(dims, dimensions, `namespace "${namespace}"`, 'another namespace', this.embedder.source);
	}
}
