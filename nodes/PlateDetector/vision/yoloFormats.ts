// Decoders for the output layouts YOLO-family exports use, as one table of formats, plus non-maximum suppression.
import { AgenticError } from '../../shared/errors';
import type { Box, Point } from './types';

export type YoloFormat = 'yolov5' | 'yolov5Corners' | 'yolov8' | 'end2end' | 'end2endBatch';

/** A detection in model-input pixels (before undoing the letterbox). */
export interface RawDetection {
	x1: number;
	y1: number;
	x2: number;
	y2: number;
	score: number;
	classId: number;
	corners?: Point[];
}

export interface YoloFormatSpec {
	/** The format's name in the node's Detector Output Format list, before its shape. */
	label: string;
	/** The output shape the format expects, as users read it in model viewers. */
	shape: string;
	/** Whether an output of these dimensions can be decoded as this format. */
	fits(dims: readonly number[]): boolean;
	/** Whether Auto picks this format for an output of these dimensions (asked in table order; stricter than `fits`). */
	claims(dims: readonly number[]): boolean;
	/** Detections scoring at least `threshold` (no NMS yet); `dims` already fit. */
	decode(data: Float32Array, dims: readonly number[], threshold: number): RawDetection[];
}

function centreBox(cx: number, cy: number, w: number, h: number, score: number, classId: number): RawDetection {
	return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId };
}

/** [1,N,stride] rows of cx,cy,w,h,objectness, the 4 corners (x,y each) when `withCorners`, then the class scores. */
function decodeYolov5(data: Float32Array, dims: readonly number[], threshold: number, withCorners: boolean): RawDetection[] {
	const out: RawDetection[] = [];
	const n = dims[1];
	const stride = dims[2];
	const firstClass = withCorners ? 13 : 5;
	for (let i = 0, o = 0; i < n; i++, o += stride) {
		const obj = data[o + 4];
		if (obj < threshold) continue;
		let best = 0;
		let cls = 0;
		for (let c = firstClass; c < stride; c++) {
			if (data[o + c] > best) {
				best = data[o + c];
				cls = c - firstClass;
			}
		}
		const score = obj * best;
		if (score < threshold) continue;
		const det = centreBox(data[o], data[o + 1], data[o + 2], data[o + 3], score, cls);
		if (withCorners) det.corners = [0, 1, 2, 3].map((k) => ({ x: data[o + 5 + 2 * k], y: data[o + 6 + 2 * k] }));
		out.push(det);
	}
	return out;
}

/** [1,4+C,N] columns: cx,cy,w,h then one score row per class (no objectness). */
function decodeYolov8(data: Float32Array, dims: readonly number[], threshold: number): RawDetection[] {
	const out: RawDetection[] = [];
	const rows = dims[1];
	const n = dims[2];
	for (let i = 0; i < n; i++) {
		let best = 0;
		let cls = 0;
		for (let r = 4; r < rows; r++) {
			const v = data[r * n + i];
			if (v > best) {
				best = v;
				cls = r - 4;
			}
		}
		if (best < threshold) continue;
		out.push(centreBox(data[i], data[n + i], data[2 * n + i], data[3 * n + i], best, cls));
	}
	return out;
}

/** [1,K,6] rows of x1,y1,x2,y2,score,class. */
function decodeEnd2end(data: Float32Array, dims: readonly number[], threshold: number): RawDetection[] {
	const out: RawDetection[] = [];
	for (let i = 0, o = 0; i < dims[1]; i++, o += 6) {
		const score = data[o + 4];
		if (score < threshold) continue;
		out.push({ x1: data[o], y1: data[o + 1], x2: data[o + 2], y2: data[o + 3], score, classId: Math.round(data[o + 5]) });
	}
	return out;
}

/** [K,7] rows of batch,x1,y1,x2,y2,class,score; only the first image of the batch is ours. */
function decodeEnd2endBatch(data: Float32Array, dims: readonly number[], threshold: number): RawDetection[] {
	const out: RawDetection[] = [];
	for (let i = 0, o = 0; i < dims[0]; i++, o += 7) {
		const score = data[o + 6];
		if (score < threshold || data[o] !== 0) continue;
		out.push({ x1: data[o + 1], y1: data[o + 2], x2: data[o + 3], y2: data[o + 4], score, classId: Math.round(data[o + 5]) });
	}
	return out;
}

const batchOfOne = (dims: readonly number[]) => dims.length === 3 && dims[0] === 1;

/**
 * Every layout the detector reads. Auto asks the entries in this order, most specific first;
 * a new format is one entry here (the node's option list is made from this table).
 */
export const yoloFormats: Record<YoloFormat, YoloFormatSpec> = {
	// open-image-models' YOLOv9 exports.
	end2endBatch: {
		label: 'End-to-End With Batch Index',
		shape: '[K,7]',
		fits: (dims) => dims.length === 2 && dims[1] === 7,
		claims: (dims) => dims.length === 2 && dims[1] === 7,
		decode: decodeEnd2endBatch,
	},
	// NMS inside the model; such exports keep a few hundred boxes, raw heads have thousands of anchors.
	end2end: {
		label: 'End-to-End',
		shape: '[1,K,6]',
		fits: (dims) => dims.length === 3 && dims[2] === 6,
		claims: (dims) => batchOfOne(dims) && dims[2] === 6 && dims[1] <= 1000,
		decode: decodeEnd2end,
	},
	// YOLOv8 and YOLO11: boxes as columns, no objectness.
	yolov8: {
		label: 'YOLOv8/11',
		shape: '[1,4+classes,N]',
		fits: (dims) => dims.length === 3 && dims[1] >= 5,
		claims: (dims) => batchOfOne(dims) && dims[1] < dims[2] && dims[1] >= 5,
		decode: decodeYolov8,
	},
	// HyperLPR's y5fu: YOLOv5 rows with 4 corner points before the class scores.
	yolov5Corners: {
		label: 'YOLOv5 With 4 Corners',
		shape: '[1,N,13+classes]',
		fits: (dims) => dims.length === 3 && dims[2] >= 14,
		claims: (dims) => batchOfOne(dims) && dims[2] === 15,
		decode: (data, dims, threshold) => decodeYolov5(data, dims, threshold, true),
	},
	yolov5: {
		label: 'YOLOv5',
		shape: '[1,N,5+classes]',
		fits: (dims) => dims.length === 3 && dims[2] >= 6,
		claims: (dims) => batchOfOne(dims) && dims[2] >= 6,
		decode: (data, dims, threshold) => decodeYolov5(data, dims, threshold, false),
	},
};

/** Guesses the layout from the output shape; `undefined` when it cannot tell. */
export function detectYoloFormat(dims: readonly number[]): YoloFormat | undefined {
	return (Object.keys(yoloFormats) as YoloFormat[]).find((format) => yoloFormats[format].claims(dims));
}

/** Decodes one output tensor into detections above `threshold` (no NMS yet). */
export function decodeYolo(
	format: YoloFormat,
	data: Float32Array,
	dims: readonly number[],
	threshold: number,
	modelPath = 'the detector model',
): RawDetection[] {
	const spec = yoloFormats[format];
	if (!spec.fits(dims)) {
		throw new AgenticError(
			'invalid_input',
			`The detector ${modelPath} has output shape [${dims.join(',')}], not the ${format} layout ${spec.shape}`,
			{ field: 'Detector Output Format', description: 'Pick the output format that matches the model, or leave it on Auto.' },
		);
	}
	return spec.decode(data, dims, threshold);
}

export function iou(a: Box, b: Box): number {
	const ix = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
	const iy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
	if (ix <= 0 || iy <= 0) return 0;
	const inter = ix * iy;
	const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
	return union > 0 ? inter / union : 0;
}

/** Class-agnostic greedy NMS: a plate is a plate whatever sub-class the model gives it. */
export function nms(dets: RawDetection[], iouThreshold: number, maxDetections = 100): RawDetection[] {
	const sorted = [...dets].sort((a, b) => b.score - a.score);
	const kept: RawDetection[] = [];
	for (const d of sorted) {
		if (kept.length >= maxDetections) break;
		if (kept.every((k) => iou(k, d) <= iouThreshold)) kept.push(d);
	}
	return kept;
}
