// The plate engine's public surface (no n8n): detector + OCR behind Alpr.predict, video, watchlist, default models.
export { Alpr, validateRegions, type AlprOptions, type PipelineOptions, type PlateFinder, type PlateReader, type PlateResult, type Prediction } from './alpr';
export { annotateImage, plateCrop } from './annotate';
export { openImage, rawImage, type ImageSource } from './decode';
export { DEFAULT_DETECTOR_THRESHOLD, DEFAULT_MAX_PIXELS } from './defaults';
export { PlateDetectorModel, type DetectorOptions } from './detector';
export { DEFAULT_DETECTOR, DEFAULT_OCR, OCR_V1, OCR_V2, OCR_V2_CONFIG, READERS, defaultModelDir, ensureModel, ensureReader, type BinaryFetcher, type ReaderVersion } from './models';
export { readPlateConfig, type PlateConfig } from './plateConfig';
export { PlateOcrModel, applyPlatePatterns, type OcrOptions } from './ocr';
export { loadSession, type ProviderPreference } from './sessions';
export type { Box, FoundPlates, PlateDetection, Point, RgbImage } from './types';
export { PlateTracker, readFrames, checkStreamUrl, type TrackedPlate, type VideoFrame } from './video';
export { matchWatchlist, plateDistance, normalizePlate, type WatchlistMatch } from './watchlist';
export { decodeYolo, detectYoloFormat, nms, yoloFormats, type YoloFormat, type YoloFormatSpec } from './yoloFormats';
