// The Vector Memory defaults, in one place: the node's parameters, the node, the engine and Agent Brain's memory tools read them here.

/** Characters per chunk when a text is split. */
export const DEFAULT_CHUNK_SIZE = 1000;
/** Characters repeated between neighbouring chunks, so a sentence cut in two is still found. */
export const DEFAULT_CHUNK_OVERLAP = 200;
export const DEFAULT_CHUNKING = { chunkSize: DEFAULT_CHUNK_SIZE, chunkOverlap: DEFAULT_CHUNK_OVERLAP } as const;
/** Texts a query returns. */
export const DEFAULT_TOP_K = 4;
/** The most texts one query may ask for. */
export const MAX_TOP_K = 1000;
