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
	DEFAULT_DETECTOR as DEFAULT_PLATE_DETECTOR_MODEL,
	DEFAULT_OCR as DEFAULT_PLATE_OCR_MODEL,
	detectYoloFormat,
	decodeYolo,
	type AlprOptions,
	type PlateResult,
	type Prediction as PlatePrediction,
	type TrackedPlate,
	type WatchlistMatch,
	type YoloFormat,
} from './nodes/PlateDetector/vision';
