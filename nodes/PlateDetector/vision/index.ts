// The plate engine's public surface (no n8n): detector + OCR behind Alpr.predict, video, watchlist, default models.
export { Alpr, type AlprOptions, type PlateResult, type Prediction } from './alpr';
export { annotateImage, plateCrop } from './annotate';
export { openImage, rawImage, DEFAULT_MAX_PIXELS, type ImageSource } from './decode';
export { PlateDetectorModel, DEFAULT_DETECTOR_THRESHOLD, type DetectorOptions } from './detector';
export { DEFAULT_DETECTOR, DEFAULT_OCR, defaultModelDir, ensureModel, type BinaryFetcher } from './models';
export { PlateOcrModel, applyPlatePatterns, type OcrOptions } from './ocr';
export { loadSession, type ProviderPreference } from './sessions';
export type { Box, PlateDetection, Point, RgbImage } from './types';
export { PlateTracker, readFrames, checkStreamUrl, type TrackedPlate, type VideoFrame } from './video';
export { matchWatchlist, plateDistance, normalizePlate, type WatchlistMatch } from './watchlist';
export { decodeYolo, detectYoloFormat, nms, YOLO_FORMATS, type YoloFormat } from './yoloFormats';
