// The plate detector: any YOLO-family ONNX model, its letterbox pre-processing and box post-processing.
import { AgenticError } from '../../shared/errors';
import { rawImage, toChwFloat, type ImageSource } from './decode';
import { DEFAULT_DETECTOR_THRESHOLD } from './defaults';
import { loadSession, tensorShape, type LoadedSession, type ProviderPreference } from './sessions';
import type { FoundPlates, PlateDetection } from './types';
import { decodeYolo, detectYoloFormat, nms, type YoloFormat } from './yoloFormats';

export interface DetectorOptions {
	modelPath: string;
	/** 'auto' reads it from the output shape. */
	format?: YoloFormat | 'auto';
	provider?: ProviderPreference;
	/** Minimum detection score, 0..1. */
	confidenceThreshold?: number;
	iouThreshold?: number;
	/** Plates narrower than this (original-image pixels) are dropped. */
	minPlateWidth?: number;
	/** Grey level of the letterbox border (0 black, 114 the Ultralytics default). */
	padValue?: number;
	/** Input size for models whose input shape is dynamic. */
	inputSize?: number;
	maxPlates?: number;
}

/** The output layout from the model's output shape, or, when that is dynamic, from one run on a blank frame. */
async function guessFormat(loaded: LoadedSession, modelPath: string, inputWidth: number, inputHeight: number): Promise<YoloFormat> {
	const { session } = loaded;
	let dims: readonly number[] | undefined;
	const declared = tensorShape(session.outputMetadata[0]);
	if (declared.every((d) => d !== undefined)) dims = declared as number[];
	const guessed = dims && detectYoloFormat(dims);
	if (guessed) return guessed;
	const { Tensor } = loaded.ort;
	const probe = await session.run({
		[session.inputNames[0]]: new Tensor('float32', new Float32Array(3 * inputWidth * inputHeight), [1, 3, inputHeight, inputWidth]),
	});
	dims = probe[session.outputNames[0]].dims;
	const probed = detectYoloFormat(dims);
	if (!probed) {
		throw new AgenticError('invalid_input', `Cannot tell the YOLO output format of ${modelPath} from its output shape [${dims.join(',')}]`, {
			field: 'Detector Output Format',
			description: 'Set "Detector Output Format" to the layout the model was exported with.',
		});
	}
	return probed;
}

export class PlateDetectorModel {
	private constructor(
		private readonly loaded: LoadedSession,
		readonly format: YoloFormat,
		readonly inputWidth: number,
		readonly inputHeight: number,
		private readonly options: DetectorOptions,
	) {}

	static async load(options: DetectorOptions): Promise<PlateDetectorModel> {
		const expected = 'a YOLO-family plate detector with one float32 [1,3,H,W] input';
		const loaded = await loadSession(options.modelPath, options.provider ?? 'auto', expected);
		const { session } = loaded;
		const input = session.inputMetadata[0];
		const shape = tensorShape(input);
		if (session.inputNames.length !== 1 || (shape.length > 0 && (shape.length !== 4 || (shape[1] !== undefined && shape[1] !== 3)))) {
			throw new AgenticError(
				'invalid_input',
				`The detector ${options.modelPath} takes input ${JSON.stringify(input?.isTensor ? input.shape : input?.name)}, expected ${expected}`,
				{ field: 'Detector Model Path', description: 'Give the path of a YOLO plate detection model (ONNX).' },
			);
		}
		const inputHeight = shape[2] ?? options.inputSize ?? 640;
		const inputWidth = shape[3] ?? options.inputSize ?? 640;
		const chosen = options.format && options.format !== 'auto' ? options.format : undefined;
		const format = chosen ?? (await guessFormat(loaded, options.modelPath, inputWidth, inputHeight));
		return new PlateDetectorModel(loaded, format, inputWidth, inputHeight, options);
	}

	get provider() {
		return this.loaded.provider;
	}

	/** Why a GPU that was asked for is not used, when that happened. */
	get providerNote() {
		return this.loaded.fallbackReason;
	}

	/**
	 * Plates above the threshold, in original-image pixels; when there are none, also the weaker candidates (down to
	 * half the threshold) so the reader can keep one it reads with high confidence: recognition vouches for a shy detection.
	 */
	async detect(image: ImageSource): Promise<FoundPlates> {
		const threshold = this.options.confidenceThreshold ?? DEFAULT_DETECTOR_THRESHOLD;
		const first = await this.detectAt(image, 1, threshold / 2);
		const plates = first.filter((d) => d.score >= threshold);
		if (plates.length > 0) return { plates, weak: [] };
		// Detectors trained on street scenes miss plates that fill the frame; a second look at half size finds them.
		const second = await this.detectAt(image, 0.5, threshold / 2);
		const zoomed = second.filter((d) => d.score >= threshold);
		if (zoomed.length > 0) return { plates: zoomed, weak: [] };
		// Plates too small for the model input at full-frame scale: look again at overlapping quarters.
		const tiled = image.width * image.height > 4 * this.inputWidth * this.inputHeight ? await this.detectTiles(image, threshold / 2) : [];
		const small = tiled.filter((d) => d.score >= threshold);
		if (small.length > 0) return { plates: small, weak: [] };
		return { plates: [], weak: [...first, ...second, ...tiled].sort((a, b) => b.score - a.score).slice(0, 3) };
	}

	private async detectTiles(image: ImageSource, threshold: number): Promise<PlateDetection[]> {
		const full = rawImage(await image.full());
		const tileW = Math.round(image.width * 0.6);
		const tileH = Math.round(image.height * 0.6);
		const found: PlateDetection[] = [];
		for (const [fx, fy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
			const left = fx * (image.width - tileW);
			const top = fy * (image.height - tileH);
			const tile = rawImage(await full.region({ x1: left, y1: top, x2: left + tileW, y2: top + tileH }));
			for (const d of await this.detectAt(tile, 1, threshold)) {
				const shift = (p: { x: number; y: number }) => ({ x: p.x + left, y: p.y + top });
				found.push({
					...d,
					box: { x1: d.box.x1 + left, y1: d.box.y1 + top, x2: d.box.x2 + left, y2: d.box.y2 + top },
					corners: d.corners?.map(shift),
				});
			}
		}
		const merged = nms(
			found.map((d, i) => ({ ...d.box, score: d.score, classId: i })),
			this.options.iouThreshold ?? 0.5,
			this.options.maxPlates ?? 20,
		);
		return merged.map((m) => found[m.classId]);
	}

	private async detectAt(image: ImageSource, zoom: number, threshold: number): Promise<PlateDetection[]> {
		const o = this.options;
		const lb = await image.letterbox(this.inputWidth, this.inputHeight, o.padValue ?? 0, zoom);
		const { session } = this.loaded;
		const { Tensor } = this.loaded.ort;
		const tensor = new Tensor('float32', toChwFloat(lb.data, lb.width, lb.height), [1, 3, lb.height, lb.width]);
		const outputs = await session.run({ [session.inputNames[0]]: tensor });
		const out = outputs[session.outputNames[0]];
		const raw = decodeYolo(this.format, out.data as Float32Array, out.dims, threshold, o.modelPath);
		const kept = nms(raw, o.iouThreshold ?? 0.5, o.maxPlates ?? 20);
		const back = (v: number, pad: number, max: number) => Math.max(0, Math.min(max, (v - pad) / lb.scale));
		const result: PlateDetection[] = [];
		for (const d of kept) {
			const box = {
				x1: back(d.x1, lb.padX, image.width),
				y1: back(d.y1, lb.padY, image.height),
				x2: back(d.x2, lb.padX, image.width),
				y2: back(d.y2, lb.padY, image.height),
			};
			if (box.x2 - box.x1 < (o.minPlateWidth ?? 0) || box.y2 - box.y1 < 2) continue;
			const det: PlateDetection = { box, score: d.score, classId: d.classId };
			if (d.corners) {
				det.corners = d.corners.map((p) => ({ x: back(p.x, lb.padX, image.width), y: back(p.y, lb.padY, image.height) }));
			}
			result.push(det);
		}
		return result;
	}
}
