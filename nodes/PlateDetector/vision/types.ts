// Shapes shared by the plate engine's modules: images, boxes, detections and readings.

/** A decoded image: interleaved 8-bit RGB, row-major. */
export interface RgbImage {
	data: Uint8Array;
	width: number;
	height: number;
}

export interface Point {
	x: number;
	y: number;
}

/** Axis-aligned box in pixels of the original image. */
export interface Box {
	x1: number;
	y1: number;
	x2: number;
	y2: number;
}

/** One plate the detector found, in original-image pixels. */
export interface PlateDetection {
	box: Box;
	/** Detector confidence, 0..1. */
	score: number;
	classId: number;
	/** Top-left, top-right, bottom-right, bottom-left, when the model predicts plate corners. */
	corners?: Point[];
}

/** What a detector found in one image. */
export interface FoundPlates {
	/** Plates above the detector's threshold. */
	plates: PlateDetection[];
	/** When there are no plates: weaker candidates, kept only if the reader is very sure of them. */
	weak?: PlateDetection[];
}

/** What the OCR model read from one plate crop. */
export interface PlateReading {
	plateText: string;
	/** Mean of the per-slot probabilities, padding slots included (a confident empty slot counts too). */
	confidence: number;
	charConfidences: number[];
}

/** Where the models run: onnxruntime-node's CPU, CUDA or TensorRT provider, or onnxruntime-web's WebAssembly build. */
export type ExecutionProviderName = 'cpu' | 'cuda' | 'tensorrt' | 'wasm';
