// The Plate Detector node: reads parameters, runs the plate engine on a photo, video or stream per item, maps plates to items.
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { errorItem, toNodeError } from '../shared/nodeErrors';
import { plateDetectorProperties } from './PlateDetectorDescription';
import { Alpr, type PlateResult, type Prediction } from './vision/alpr';
import { annotateImage, plateCrop } from './vision/annotate';
import { openImage } from './vision/decode';
import { DEFAULT_DETECTOR, DEFAULT_OCR, ensureModel } from './vision/models';
import type { ProviderPreference } from './vision/sessions';
import type { RgbImage } from './vision/types';
import { PlateTracker, readFrames, type FrameOptions, type TrackedPlate } from './vision/video';
import { matchWatchlist } from './vision/watchlist';
import type { YoloFormat } from './vision/yoloFormats';

interface NodeOptions {
	confidenceThreshold?: number;
	detectorModelPath?: string;
	detectorFormat?: YoloFormat | 'auto';
	executionProvider?: ProviderPreference;
	fps?: number;
	frameTimeoutSeconds?: number;
	includeAnnotatedImage?: boolean;
	includeCrops?: boolean;
	padValue?: number;
	maxMegapixels?: number;
	minPlateWidth?: number;
	ocrModelPath?: string;
	platePatterns?: string;
}

function isVideo(bytes: Buffer, mimeType: string | undefined): boolean {
	if (mimeType?.startsWith('video/')) return true;
	// MP4/MOV 'ftyp' box, Matroska/WebM EBML header.
	return bytes.subarray(4, 8).toString('latin1') === 'ftyp' || bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
}

async function fileHead(path: string, length: number): Promise<Buffer> {
	const handle = await open(path, 'r');
	try {
		const buffer = Buffer.alloc(length);
		const { bytesRead } = await handle.read(buffer, 0, length, 0);
		return buffer.subarray(0, bytesRead);
	} finally {
		await handle.close();
	}
}

function round(v: number, digits = 3): number {
	const k = 10 ** digits;
	return Math.round(v * k) / k;
}

function plateJson(p: PlateResult, watchlist: string[] | undefined, maxDistance: number): IDataObject {
	const out: IDataObject = {
		plateText: p.plateText,
		confidence: p.confidence,
		charConfidences: p.charConfidences,
		box: { x1: round(p.box.x1, 1), y1: round(p.box.y1, 1), x2: round(p.box.x2, 1), y2: round(p.box.y2, 1) },
		detectionScore: round(p.detectionScore),
	};
	if (p.corners) out.corners = p.corners.map((c) => ({ x: round(c.x, 1), y: round(c.y, 1) }));
	if (watchlist) {
		const match = matchWatchlist(p.plateText, watchlist, maxDistance);
		out.watchlistMatch = match ? { entry: match.entry, distance: match.distance } : null;
	}
	return out;
}

function splitList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	if (typeof value === 'string') return value.split(/[,\n]/).map((v) => v.trim()).filter(Boolean);
	return [];
}

export class PlateDetector implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Plate Detector',
		name: 'plateDetector',
		icon: { light: 'file:plateDetector.svg', dark: 'file:plateDetector.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["input"] === "stream" ? "Stream" : "Image or Video"}}',
		description:
			'Find license plates in a photo, a video or a camera stream and read their text, on ONNX models (GPU when available). Returns each plate\'s text, confidence and box, and can check readings against a watchlist.',
		defaults: { name: 'Plate Detector' },
		// A second input appears only when the watchlist comes from another node's items.
		inputs: `={{ $parameter["watchlistSource"] === "input" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Images" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Watchlist" }] : ["${NodeConnectionTypes.Main}"] }}`,
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		properties: plateDetectorProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		let watchlistItems: IDataObject[] | undefined;
		// Items with the same options share one pipeline: the models are checked (and a dynamic one probed) once per run.
		const pipelines = new Map<string, Promise<Alpr>>();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				if (this.getNodeParameter('watchlistSource', itemIndex, 'none') === 'input' && !watchlistItems) {
					watchlistItems = (this.getInputData(1) ?? []).map((item) => item.json);
				}
				out.push(await runItem(this, itemIndex, items[itemIndex].json, watchlistItems ?? [], pipelines));
			} catch (error) {
				const nodeError = toNodeError(this, error, itemIndex);
				if (!this.continueOnFail()) throw nodeError;
				out.push(errorItem(nodeError, itemIndex));
			}
		}
		return [out];
	}
}

async function createAlpr(ctx: IExecuteFunctions, options: NodeOptions): Promise<Alpr> {
	const fetcher = async (url: string) => Buffer.from(await ctx.helpers.httpRequest({ url, encoding: 'arraybuffer', timeout: 120_000 }));
	const detectorPath = options.detectorModelPath?.trim() || (await ensureModel(DEFAULT_DETECTOR, { fetcher }));
	const ocrPath = options.ocrModelPath?.trim() || (await ensureModel(DEFAULT_OCR, { fetcher }));
	const provider = options.executionProvider ?? 'auto';
	return Alpr.create({
		detector: {
			modelPath: detectorPath,
			format: options.detectorFormat ?? 'auto',
			provider,
			confidenceThreshold: options.confidenceThreshold,
			minPlateWidth: options.minPlateWidth ?? 12,
			padValue: options.padValue,
		},
		ocr: { modelPath: ocrPath, provider },
		platePatterns: splitList(options.platePatterns),
		maxPixels: (options.maxMegapixels ?? 100) * 1e6,
	});
}

async function runItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	watchlistItems: IDataObject[],
	pipelines: Map<string, Promise<Alpr>>,
): Promise<INodeExecutionData> {
	const input = ctx.getNodeParameter('input', itemIndex) as 'binary' | 'stream';
	const options = ctx.getNodeParameter('options', itemIndex, {}) as NodeOptions;
	const watchlistSource = ctx.getNodeParameter('watchlistSource', itemIndex, 'none') as 'none' | 'list' | 'field' | 'input';
	let watchlist: string[] | undefined;
	if (watchlistSource === 'list') watchlist = splitList(ctx.getNodeParameter('watchlist', itemIndex, ''));
	if (watchlistSource === 'field') {
		const field = ctx.getNodeParameter('watchlistField', itemIndex, 'watchlist') as string;
		if (json[field] === undefined) {
			throw new NodeOperationError(ctx.getNode(), `The item has no field "${field}" with watchlist plates`, {
				itemIndex,
				description: 'Set "Watchlist Field" to the field holding the plates, or add that field to the items.',
			});
		}
		watchlist = splitList(json[field]);
	}
	if (watchlistSource === 'input') {
		const field = ctx.getNodeParameter('watchlistInputField', itemIndex, 'plate') as string;
		watchlist = watchlistItems.flatMap((item) => splitList(item[field]));
	}
	const maxDistance = watchlistSource === 'none' ? 0 : (ctx.getNodeParameter('watchlistMaxDistance', itemIndex, 1) as number);
	const key = JSON.stringify(options);
	let pending = pipelines.get(key);
	if (!pending) {
		pending = createAlpr(ctx, options);
		pipelines.set(key, pending);
		// A failed load is tried again by the next item: the error may be that item's alone (e.g. a download that timed out).
		pending.catch(() => pipelines.delete(key));
	}
	const alpr = await pending;
	const frameOptions: FrameOptions = {
		fps: options.fps ?? 5,
		frameTimeoutMs: (options.frameTimeoutSeconds ?? 15) * 1000,
		maxPixels: (options.maxMegapixels ?? 100) * 1e6,
	};

	if (input === 'stream') {
		const url = ctx.getNodeParameter('streamUrl', itemIndex) as string;
		const durationSeconds = ctx.getNodeParameter('streamDurationSeconds', itemIndex, 10) as number;
		const result = await readVideo(alpr, readFrames({ url }, { ...frameOptions, durationSeconds }));
		return videoItem(result, watchlist, maxDistance, itemIndex);
	}

	const propertyName = ctx.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const binary: IBinaryData = ctx.helpers.assertBinaryData(itemIndex, propertyName);
	const dir = await mkdtemp(join(tmpdir(), 'plate-video-'));
	let bytes: Buffer;
	try {
		const file = join(dir, 'input');
		if (binary.id) {
			// Stored by n8n's binary data manager: a video goes to disk for ffmpeg without ever being held whole in memory.
			await pipeline(await ctx.helpers.getBinaryStream(binary.id), createWriteStream(file));
			const head = await fileHead(file, 16);
			bytes = head.length > 0 && isVideo(head, binary.mimeType) ? head : await readFile(file);
		} else {
			bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
			if (bytes.length > 0 && isVideo(bytes, binary.mimeType)) await writeFile(file, bytes);
		}
		if (bytes.length > 0 && isVideo(bytes, binary.mimeType)) {
			const result = await readVideo(alpr, readFrames({ file }, frameOptions));
			return videoItem(result, watchlist, maxDistance, itemIndex);
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}

	const image = await openImage(bytes, { maxPixels: (options.maxMegapixels ?? 100) * 1e6 });
	const prediction: Prediction = await alpr.predict(image);
	const plates = [...prediction.plates].sort((a, b) => b.detectionScore - a.detectionScore);
	const item: INodeExecutionData = {
		json: {
			plateText: plates[0]?.plateText ?? null,
			plateCount: plates.length,
			plates: plates.map((p) => plateJson(p, watchlist, maxDistance)),
			width: prediction.width,
			height: prediction.height,
			provider: prediction.provider,
			...(prediction.providerNote ? { providerNote: prediction.providerNote } : {}),
		},
		pairedItem: { item: itemIndex },
	};
	if (options.includeCrops || options.includeAnnotatedImage) {
		item.binary = {};
		if (options.includeCrops) {
			for (let k = 0; k < plates.length; k++) {
				item.binary[`plate_${k}`] = await ctx.helpers.prepareBinaryData(await plateCrop(image, plates[k]), `plate_${k}.jpg`, 'image/jpeg');
			}
		}
		if (options.includeAnnotatedImage) {
			item.binary.annotated = await ctx.helpers.prepareBinaryData(await annotateImage(image, plates), 'annotated.jpg', 'image/jpeg');
		}
	}
	return item;
}

interface VideoResult {
	plates: TrackedPlate[];
	frames: number;
	provider: string;
	providerNote?: string;
}

async function readVideo(alpr: Alpr, frames: AsyncGenerator<{ image: RgbImage; index: number; timestampSeconds: number }>): Promise<VideoResult> {
	const tracker = new PlateTracker();
	let count = 0;
	for await (const frame of frames) {
		const prediction = await alpr.predict(frame.image);
		tracker.add(frame.index, frame.timestampSeconds, prediction.plates);
		count++;
	}
	return { plates: tracker.finish(), frames: count, provider: alpr.detector.provider, providerNote: alpr.detector.fallbackReason };
}

function videoItem(result: VideoResult, watchlist: string[] | undefined, maxDistance: number, itemIndex: number): INodeExecutionData {
	const plates: IDataObject[] = result.plates.map((t) => ({
		...plateJson(t.best, watchlist, maxDistance),
		timestampSeconds: t.timestampSeconds,
		firstSeenSeconds: t.firstSeenSeconds,
		lastSeenSeconds: t.lastSeenSeconds,
		frames: t.frames,
		votes: t.votes,
	}));
	return {
		json: {
			plateText: result.plates[0]?.best.plateText ?? null,
			plateCount: plates.length,
			plates,
			framesProcessed: result.frames,
			provider: result.provider,
			...(result.providerNote ? { providerNote: result.providerNote } : {}),
		},
		pairedItem: { item: itemIndex },
	};
}

/** Engine errors become n8n errors naming the parameter to fix. */
