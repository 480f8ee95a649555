// YOLO output layouts: decoding, shape-based format detection, NMS, and the detector run on tiny ONNX graphs built here.
import { runInThisContext } from 'node:vm';
// Jest gives each test file its own Float32Array, but onnxruntime-node builds outputs with Node's: use Node's here too.
(globalThis as { Float32Array: unknown }).Float32Array = runInThisContext('Float32Array');
import sharp from 'sharp';
import { openImage } from '../../nodes/PlateDetector/vision/decode';
import { PlateDetectorModel } from '../../nodes/PlateDetector/vision/detector';
import type { INodeProperties } from 'n8n-workflow';
import { plateDetectorProperties } from '../../nodes/PlateDetector/PlateDetectorDescription';
import { constantModel, writeModel } from '../helpers/onnxModel';
import { decodeYolo, detectYoloFormat, nms, yoloFormats, type RawDetection, type YoloFormat } from '../../nodes/PlateDetector/vision/yoloFormats';

/** A 200×100 grey PNG: letterboxed into 64×64 at scale 0.32 with 16 px of padding above and below. */
async function testImage() {
	return openImage(await sharp({ create: { width: 200, height: 100, channels: 3, background: '#808080' } }).png().toBuffer());
}

describe('decodeYolo', () => {
	it('reads YOLOv5 rows as cx,cy,w,h,objectness,classes and scores them objectness × class', () => {
		const data = new Float32Array([50, 40, 20, 10, 0.9, 0.2, 0.8, 10, 10, 4, 4, 0.1, 1, 0]);
		const dets = decodeYolo('yolov5', data, [1, 2, 7], 0.3);
		expect(dets).toHaveLength(1);
		expect(dets[0]).toMatchObject({ x1: 40, y1: 35, x2: 60, y2: 45, classId: 1 });
		expect(dets[0].score).toBeCloseTo(0.72);
	});

	it('reads the 4 corner points HyperLPR y5fu models put between objectness and class scores', () => {
		const row = [50, 40, 20, 10, 0.9, 41, 36, 59, 35, 60, 44, 40, 45, 0.1, 0.95];
		const [det] = decodeYolo('yolov5Corners', new Float32Array(row), [1, 1, 15], 0.3);
		expect(det.corners).toEqual([
			{ x: 41, y: 36 },
			{ x: 59, y: 35 },
			{ x: 60, y: 44 },
			{ x: 40, y: 45 },
		]);
		expect(det.classId).toBe(1);
		expect(det.score).toBeCloseTo(0.855);
	});

	it('reads YOLOv8/11 outputs column-wise ([1,4+classes,N]) without objectness', () => {
		// 2 candidates, 2 classes: rows cx, cy, w, h, class0, class1.
		const data = new Float32Array([100, 10, 50, 10, 40, 4, 20, 4, 0.1, 0.05, 0.7, 0.1]);
		const dets = decodeYolo('yolov8', data, [1, 6, 2], 0.25);
		expect(dets).toEqual([{ x1: 80, y1: 40, x2: 120, y2: 60, score: expect.closeTo(0.7) as number, classId: 1 }]);
	});

	it('reads end-to-end [1,K,6] rows as x1,y1,x2,y2,score,class and [K,7] rows as batch,x1,y1,x2,y2,class,score', () => {
		const e2e = decodeYolo('end2end', new Float32Array([1, 2, 3, 4, 0.9, 0, 5, 6, 7, 8, 0.1, 0]), [1, 2, 6], 0.5);
		expect(e2e).toEqual([{ x1: 1, y1: 2, x2: 3, y2: 4, score: expect.closeTo(0.9) as number, classId: 0 }]);
		const batch = decodeYolo('end2endBatch', new Float32Array([0, 1, 2, 3, 4, 0, 0.8, 0, 5, 6, 7, 8, 0, 0.2]), [2, 7], 0.5);
		expect(batch).toEqual([{ x1: 1, y1: 2, x2: 3, y2: 4, score: expect.closeTo(0.8) as number, classId: 0 }]);
	});

	it('refuses an output whose shape does not fit the chosen layout, naming the model', () => {
		expect(() => decodeYolo('end2endBatch', new Float32Array(6), [1, 1, 6], 0.5, '/models/det.onnx')).toThrow(
			/\/models\/det\.onnx has output shape \[1,1,6\], not the end2endBatch layout \[K,7\]/,
		);
	});
});

describe('detectYoloFormat', () => {
	it.each([
		[[1, 6300, 15], 'yolov5Corners'],
		[[1, 25200, 6], 'yolov5'],
		[[1, 25200, 85], 'yolov5'],
		[[1, 5, 8400], 'yolov8'],
		[[1, 84, 8400], 'yolov8'],
		[[1, 300, 6], 'end2end'],
		[[12, 7], 'end2endBatch'],
	])('tells %j is %s', (dims, format) => {
		expect(detectYoloFormat(dims)).toBe(format);
	});

	it('gives up on shapes no YOLO head has', () => {
		expect(detectYoloFormat([1, 1000])).toBeUndefined();
		expect(detectYoloFormat([2, 100, 6, 3])).toBeUndefined();
	});
});

describe('the YOLO formats table', () => {
	it('gives the node one Detector Output Format option per format, named with the shape it expects, after Auto', () => {
		const options = plateDetectorProperties.find((p) => p.name === 'options')?.options as INodeProperties[];
		const format = options.find((o) => o.name === 'detectorFormat');
		expect(format?.options).toEqual([
			{ name: 'Auto (From Output Shape)', value: 'auto' },
			{ name: 'End-to-End [1,K,6]', value: 'end2end' },
			{ name: 'End-to-End With Batch Index [K,7]', value: 'end2endBatch' },
			{ name: 'YOLOv5 [1,N,5+classes]', value: 'yolov5' },
			{ name: 'YOLOv5 With 4 Corners [1,N,13+classes]', value: 'yolov5Corners' },
			{ name: 'YOLOv8/11 [1,4+classes,N]', value: 'yolov8' },
		]);
		expect(Object.keys(yoloFormats).sort()).toEqual(['end2end', 'end2endBatch', 'yolov5', 'yolov5Corners', 'yolov8']);
	});

	it.each([
		[[1, 6300, 15]],
		[[1, 25200, 85]],
		[[1, 84, 8400]],
		[[1, 300, 6]],
		[[12, 7]],
	])('decodes %j with the format Auto picks for it', (dims) => {
		const format = detectYoloFormat(dims) as YoloFormat;
		expect(yoloFormats[format].fits(dims)).toBe(true);
		expect(decodeYolo(format, new Float32Array(dims.reduce((a, b) => a * b, 1)), dims, 0.5)).toEqual([]);
	});
});

describe('nms', () => {
	it('keeps the best of overlapping boxes whatever their class, and keeps separate plates', () => {
		const a: RawDetection = { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9, classId: 0 };
		const b: RawDetection = { x1: 1, y1: 1, x2: 11, y2: 11, score: 0.8, classId: 1 };
		const c: RawDetection = { x1: 50, y1: 50, x2: 60, y2: 60, score: 0.7, classId: 0 };
		expect(nms([c, b, a], 0.5)).toEqual([a, c]);
	});
});

describe('letterbox', () => {
	it('centres the scaled image and fills the border with the pad value', async () => {
		const lb = await (await testImage()).letterbox(64, 64, 114);
		expect([lb.scale, lb.padX, lb.padY]).toEqual([0.32, 0, 16]);
		const px = (x: number, y: number) => [...lb.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
		expect(px(0, 0)).toEqual([114, 114, 114]);
		expect(px(63, 63)).toEqual([114, 114, 114]);
		expect(px(32, 32)).toEqual([128, 128, 128]);
		expect(px(32, 15)).toEqual([114, 114, 114]);
		expect(px(32, 16)).toEqual([128, 128, 128]);
	});
});

describe('PlateDetectorModel on ONNX graphs with known outputs', () => {
	// In the 64×64 letterbox of a 200×100 image: scale 0.32, padX 0, padY 16. The plate at letterbox
	// (16,24)-(48,32) is (50,25)-(150,50) in the image.
	const expected = { x1: 50, y1: 25, x2: 150, y2: 50 };

	it.each([
		// Eight candidates laid out column-wise: the first is (cx,cy,w,h,score) = (32,28,32,8,0.9), the rest score 0.01.
		['yolov8', [32, 28, 32, 8, 0.9].flatMap((v, row) => [v, ...new Array(7).fill(row === 4 ? 0.01 : 1)]), [], [1, 5, 8]],
		['end2end', [16, 24, 48, 32, 0.9, 0, ...new Array(6 * 299).fill(0)], [], [1, 300, 6]],
		['end2endBatch', [0, 16, 24, 48, 32, 0, 0.9], [], [1, 7]],
		['yolov5', [32, 28, 32, 8, 0.95, 0.05, 0.95, 5, 5, 2, 2, 0.1, 0.1, 0.1], [], [1, 2, 7]],
	])('finds the plate through a %s output and maps it back to image pixels', async (format, values, _unused, dims) => {
		const path = writeModel(`plate-${format}.onnx`, constantModel([1, 3, 64, 64], values as number[], dims as number[]));
		const detector = await PlateDetectorModel.load({ modelPath: path, provider: 'cpu', confidenceThreshold: 0.5 });
		expect(detector.format).toBe(format);
		const { plates: [plate, ...rest] } = await detector.detect(await testImage());
		expect(rest).toHaveLength(0);
		expect(plate.score).toBeCloseTo(format === 'yolov5' ? 0.9025 : 0.9);
		for (const key of ['x1', 'y1', 'x2', 'y2'] as const) expect(plate.box[key]).toBeCloseTo(expected[key], 3);
	});

	it('uses the format the user sets over the guess from the shape', async () => {
		// [1,300,6] would be guessed end-to-end; as yolov5 the same numbers mean cx,cy,w,h,obj,class.
		const values = [32, 28, 32, 8, 0.9, 1, ...new Array(6 * 299).fill(0)];
		const path = writeModel('plate-forced.onnx', constantModel([1, 3, 64, 64], values, [1, 300, 6]));
		const detector = await PlateDetectorModel.load({ modelPath: path, provider: 'cpu', format: 'yolov5', confidenceThreshold: 0.5 });
		expect(detector.format).toBe('yolov5');
		const { plates: [plate] } = await detector.detect(await testImage());
		expect(plate.box.x1).toBeCloseTo(50, 3);
		expect(plate.box.y2).toBeCloseTo(50, 3);
	});

	it('reads the input size from the model and the format from a probe run when the output shape is dynamic', async () => {
		const path = writeModel('plate-dynamic.onnx', constantModel([1, 3, 64, 64], [0, 16, 24, 48, 32, 0, 0.9], [1, 7], ['K', 7]));
		const detector = await PlateDetectorModel.load({ modelPath: path, provider: 'cpu' });
		expect(detector.inputWidth).toBe(64);
		expect(detector.inputHeight).toBe(64);
		expect(detector.format).toBe('end2endBatch');
	});

	it('names the file and what was expected when the model is not an image detector', async () => {
		const path = writeModel('plate-not-detector.onnx', constantModel([1, 10], [1, 2], [1, 2]));
		await expect(PlateDetectorModel.load({ modelPath: path, provider: 'cpu' })).rejects.toThrow(/plate-not-detector\.onnx takes input .*YOLO-family plate detector/);
	});

	it('names the file when it is missing or not ONNX at all', async () => {
		await expect(PlateDetectorModel.load({ modelPath: '/nonexistent/det.onnx', provider: 'cpu' })).rejects.toThrow('Model file not found: /nonexistent/det.onnx');
		const junk = writeModel('plate-junk.onnx', Buffer.from('this is not a model'));
		await expect(PlateDetectorModel.load({ modelPath: junk, provider: 'cpu' })).rejects.toThrow(/Could not load the model file .*plate-junk\.onnx/);
	});
});
