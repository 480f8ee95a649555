// The store contract every Vector Memory backend implements, and the shapes that cross it.

/** Metadata values a backend can filter on. */
export type MetadataValue = string | number | boolean;
export type Metadata = Record<string, MetadataValue>;

/** A condition on one metadata field: a value (equality) or one operator object. */
export type FieldCondition =
	| MetadataValue
	| { $eq?: MetadataValue; $in?: MetadataValue[]; $gt?: number; $gte?: number; $lt?: number; $lte?: number };

/** All conditions must hold (AND over fields). */
export type MetadataFilter = Record<string, FieldCondition>;

export interface VectorRecord {
	id: string;
	vector: number[];
	text: string;
	metadata: Metadata;
}

export interface SearchHit {
	id: string;
	text: string;
	metadata: Metadata;
	/** Higher is closer: cosine similarity for cosine, the dot product for inner product, 1/(1+distance) for Euclidean. */
	score: number;
}

export interface SearchRequest {
	vector: number[];
	topK: number;
	filter?: MetadataFilter;
}

export interface NamespaceStats {
	count: number;
	/** Null while the namespace holds nothing (no dimensions fixed yet). */
	dimensions: number | null;
}

/**
 * What a backend contributes; everything else (validation, dimension checks, min score,
 * chunking and embeddings) is shared in VectorMemory. A namespace is a collection (Chroma, Qdrant),
 * a namespace (Pinecone) or a partition of one table (pgvector).
 */
export interface StoreBackend {
	readonly name: string;
	/** Inserts or replaces records by id, all of them or none. */
	insert(namespace: string, records: VectorRecord[]): Promise<void>;
	/** Best matches first. */
	search(namespace: string, request: SearchRequest): Promise<SearchHit[]>;
	/** Returns how many records were deleted. */
	delete(namespace: string, selector: { ids?: string[]; filter?: MetadataFilter }): Promise<number>;
	clear(namespace: string): Promise<void>;
	stats(namespace: string): Promise<NamespaceStats>;
	close(): Promise<void>;
}
