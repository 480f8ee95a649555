// The node's Options collection, and the plate pipelines built from it (one per distinct set of options in a run).
import type { IExecuteFunctions } from 'n8n-workflow';
import { Alpr } from '../vision/alpr';
import { DEFAULT_FPS, DEFAULT_FRAME_TIMEOUT_SECONDS, DEFAULT_MAX_MEGAPIXELS, DEFAULT_MIN_PLATE_WIDTH } from '../vision/defaults';
import { DEFAULT_DETECTOR, ensureModel, ensureReader, type ReaderVersion } from '../vision/models';
import type { ProviderPreference } from '../vision/sessions';
import type { FrameOptions } from '../vision/video';
import type { YoloFormat } from '../vision/yoloFormats';

export interface NodeOptions {
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
	ocrConfigPath?: string;
	ocrModelPath?: string;
	platePatterns?: string;
	readerModel?: ReaderVersion;
	regions?: string;
}

/** A comma- or newline-separated list, or an array, as trimmed non-empty strings. */
export function splitList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	if (typeof value === 'string') return value.split(/[,\n]/).map((v) => v.trim()).filter(Boolean);
	return [];
}

export function maxPixels(options: NodeOptions): number {
	return (options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS) * 1e6;
}

export function frameOptions(options: NodeOptions): FrameOptions {
	return {
		fps: options.fps ?? DEFAULT_FPS,
		frameTimeoutMs: (options.frameTimeoutSeconds ?? DEFAULT_FRAME_TIMEOUT_SECONDS) * 1000,
		maxPixels: maxPixels(options),
	};
}

async function createAlpr(ctx: IExecuteFunctions, options: NodeOptions): Promise<Alpr> {
	// n8n's HTTP helper, so the host's proxy settings apply to the model download.
	const fetcher = async (url: string) => Buffer.from(await ctx.helpers.httpRequest({ url, encoding: 'arraybuffer', timeout: 120_000 }));
	const detectorPath = options.detectorModelPath?.trim() || (await ensureModel(DEFAULT_DETECTOR, { fetcher }));
	const ownReader = options.ocrModelPath?.trim();
	const reader = ownReader
		? { modelPath: ownReader, configPath: options.ocrConfigPath?.trim() || undefined }
		: await ensureReader(options.readerModel ?? 'v2', { fetcher });
	const provider = options.executionProvider ?? 'auto';
	return Alpr.create({
		detector: {
			modelPath: detectorPath,
			format: options.detectorFormat ?? 'auto',
			provider,
			confidenceThreshold: options.confidenceThreshold,
			minPlateWidth: options.minPlateWidth ?? DEFAULT_MIN_PLATE_WIDTH,
			padValue: options.padValue,
		},
		ocr: { ...reader, provider },
		platePatterns: splitList(options.platePatterns),
		regions: splitList(options.regions),
		maxPixels: maxPixels(options),
	});
}

/** Items with the same options share one pipeline: the models are checked (and a dynamic one probed) once per run. */
export class PipelineCache {
	private readonly pipelines = new Map<string, Promise<Alpr>>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	get(options: NodeOptions): Promise<Alpr> {
		const key = JSON.stringify(options);
		let pending = this.pipelines.get(key);
		if (!pending) {
			pending = createAlpr(this.ctx, options);
			this.pipelines.set(key, pending);
			// A failed load is tried again by the next item: the error may be that item's alone (e.g. a download that timed out).
			pending.catch(() => this.pipelines.delete(key));
		}
		return pending;
	}
}
