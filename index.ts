// Programmatic entry: the engines behind the nodes, usable without n8n.
export * from './nodes/shared/errors';
export * from './nodes/shared/http';
export { TavilyClient, TAVILY_DEFAULT_BASE_URL, TAVILY_CREDENTIAL_NAME, type TavilyClientOptions } from './nodes/Tavily/engine/client';
export type {
	TavilySearchParams,
	TavilySearchResponse,
	TavilySearchResult,
	TavilyExtractParams,
	TavilyExtractResponse,
	TavilyExtractResult,
	TavilyCrawlParams,
	TavilyCrawlResponse,
	TavilyMapParams,
	TavilyMapResponse,
} from './nodes/Tavily/engine/types';
export {
	Alpr,
	annotateImage as annotatePlateImage,
	plateCrop,
	PlateDetectorModel,
	PlateOcrModel,
	PlateTracker,
	readFrames as readVideoFrames,
	matchWatchlist,
	ensureModel as ensurePlateModel,
	ensureReader as ensurePlateReader,
	readPlateConfig,
	DEFAULT_DETECTOR as DEFAULT_PLATE_DETECTOR_MODEL,
	DEFAULT_OCR as DEFAULT_PLATE_OCR_MODEL,
	OCR_V1 as PLATE_OCR_V1_MODEL,
	OCR_V2_CONFIG as PLATE_OCR_V2_CONFIG,
	detectYoloFormat,
	decodeYolo,
	type AlprOptions,
	type PlateResult,
	type Prediction as PlatePrediction,
	type TrackedPlate,
	type WatchlistMatch,
	type YoloFormat,
} from './nodes/PlateDetector/vision';
export {
	runAgent,
	OpenAiChatModel,
	ConnectedChatModel,
	type LangChainChatModelLike,
	FileConversationStore,
	InMemoryConversationStore,
	webSearchTool,
	webExtractTool,
	dateTimeTool,
	fromInvokableTool,
	flattenTools,
	traceToMarkdown,
	type AgentRunOptions,
	type AgentResult,
	type AgentTool,
	type ChatModel,
	type ChatMessage,
	type ConversationStore,
	type StopReason,
} from './nodes/AgentBrain/engine';
export {
	VectorMemory,
	type MemoryDocument,
	type InsertReport as MemoryInsertReport,
	type QueryOptions as MemoryQueryOptions,
} from './nodes/VectorMemory/memory';
export { contentIdFor as memoryContentId } from './nodes/VectorMemory/stores/ids';
export { EmbeddedStore, defaultMemoryDirectory, type EmbeddedStoreOptions } from './nodes/VectorMemory/stores/embedded';
export { PgVectorStore, type PgVectorStoreOptions, type PgDistance } from './nodes/VectorMemory/stores/pgvector';
export { ChromaStore, type ChromaStoreOptions } from './nodes/VectorMemory/stores/chroma';
export { QdrantStore, type QdrantStoreOptions } from './nodes/VectorMemory/stores/qdrant';
export { PineconeStore, type PineconeStoreOptions } from './nodes/VectorMemory/stores/pinecone';
export { OpenAiEmbedder, type Embedder, type OpenAiEmbedderOptions } from './nodes/VectorMemory/embeddings';
export { chunkText, type ChunkOptions } from './nodes/VectorMemory/chunking';
export { validateFilter as validateMemoryFilter, matchesFilter as matchesMemoryFilter } from './nodes/VectorMemory/filter';
export type {
	StoreBackend,
	VectorRecord,
	SearchHit as MemorySearchHit,
	MetadataFilter as MemoryFilter,
	Metadata as MemoryMetadata,
	NamespaceStats as MemoryNamespaceStats,
} from './nodes/VectorMemory/types';
export { recallTool as memoryRecallTool, rememberTool as memoryRememberTool } from './nodes/AgentBrain/engine';
