// Decoders for the output layouts YOLO-family exports use, plus non-maximum suppression.
import { AgenticError } from '../../shared/errors';
import type { Box, Point } from './types';

/**
 * - yolov5: [1,N,5+C] cx,cy,w,h,objectness,class scores
 * - yolov5Corners: [1,N,5+8+C] as yolov5 with 4 corner points before the class scores (HyperLPR's y5fu)
 * - yolov8: [1,4+C,N] cx,cy,w,h,class scores (no objectness; YOLOv8/11)
 * - end2end: [1,K,6] x1,y1,x2,y2,score,class (NMS inside the model)
 * - end2endBatch: [K,7] batch,x1,y1,x2,y2,class,score (open-image-models' YOLOv9 exports)
 */
export type YoloFormat = 'yolov5' | 'yolov5Corners' | 'yolov8' | 'end2end' | 'end2endBatch';
export const YOLO_FORMATS: YoloFormat[] = ['yolov5', 'yolov5Corners', 'yolov8', 'end2end', 'end2endBatch'];

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

/** Guesses the layout from the output shape; `undefined` when it cannot tell. */
export function detectYoloFormat(dims: readonly number[]): YoloFormat | undefined {
	if (dims.length === 2 && dims[1] === 7) return 'end2endBatch';
	if (dims.length !== 3 || dims[0] !== 1) return undefined;
	const [, a, b] = dims;
	// End-to-end exports keep a few hundred boxes; raw heads have thousands of anchors.
	if (b === 6 && a <= 1000) return 'end2end';
	if (a < b && a >= 5) return 'yolov8';
	if (b === 15) return 'yolov5Corners';
	if (b >= 6) return 'yolov5';
	return undefined;
}

export function expectedShape(format: YoloFormat): string {
	switch (format) {
		case 'yolov5':
			return '[1,N,5+classes]';
		case 'yolov5Corners':
			return '[1,N,13+classes]';
		case 'yolov8':
			return '[1,4+classes,N]';
		case 'end2end':
			return '[1,K,6]';
		case 'end2endBatch':
			return '[K,7]';
	}
}

function checkShape(format: YoloFormat, dims: readonly number[]): boolean {
	switch (format) {
		case 'yolov5':
			return dims.length === 3 && dims[2] >= 6;
		case 'yolov5Corners':
			return dims.length === 3 && dims[2] >= 14;
		case 'yolov8':
			return dims.length === 3 && dims[1] >= 5;
		case 'end2end':
			return dims.length === 3 && dims[2] === 6;
		case 'end2endBatch':
			return dims.length === 2 && dims[1] === 7;
	}
}

/** Decodes one output tensor into detections above `threshold` (no NMS yet). */
export function decodeYolo(
	format: YoloFormat,
	data: Float32Array,
	dims: readonly number[],
	threshold: number,
	modelPath = 'the detector model',
): RawDetection[] {
	if (!checkShape(format, dims)) {
		throw new AgenticError(
			'invalid_input',
			`The detector ${modelPath} has output shape [${dims.join(',')}], not the ${format} layout ${expectedShape(format)}`,
			{ field: 'Detector Output Format', description: 'Pick the output format that matches the model, or leave it on Auto.' },
		);
	}
	const out: RawDetection[] = [];
	if (format === 'yolov5' || format === 'yolov5Corners') {
		const n = dims[1];
		const stride = dims[2];
		const firstClass = format === 'yolov5Corners' ? 13 : 5;
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
			const cx = data[o];
			const cy = data[o + 1];
			const w = data[o + 2];
			const h = data[o + 3];
			const det: RawDetection = { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: cls };
			if (format === 'yolov5Corners') {
				det.corners = [0, 1, 2, 3].map((k) => ({ x: data[o + 5 + 2 * k], y: data[o + 6 + 2 * k] }));
			}
			out.push(det);
		}
	} else if (format === 'yolov8') {
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
			const cx = data[i];
			const cy = data[n + i];
			const w = data[2 * n + i];
			const h = data[3 * n + i];
			out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score: best, classId: cls });
		}
	} else if (format === 'end2end') {
		const k = dims[1];
		for (let i = 0, o = 0; i < k; i++, o += 6) {
			const score = data[o + 4];
			if (score < threshold) continue;
			out.push({ x1: data[o], y1: data[o + 1], x2: data[o + 2], y2: data[o + 3], score, classId: Math.round(data[o + 5]) });
		}
	} else {
		const k = dims[0];
		for (let i = 0, o = 0; i < k; i++, o += 7) {
			const score = data[o + 6];
			if (score < threshold || data[o] !== 0) continue;
			out.push({ x1: data[o + 1], y1: data[o + 2], x2: data[o + 3], y2: data[o + 4], score, classId: Math.round(data[o + 5]) });
		}
	}
	return out;
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
