// The plate reader: fast-plate-ocr style ONNX model (uint8 NHWC crops in, per-slot character probabilities out).
import { AgenticError } from '../../shared/errors';
import { readPlateConfig, type PlateConfig } from './plateConfig';
import { loadSession, tensorShape, type LoadedSession, type ProviderPreference } from './sessions';
import type { PlateReading } from './types';

export const DEFAULT_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_';
export const PAD_CHAR = '_';

export interface OcrOptions {
	modelPath: string;
	/** The model's fast-plate-ocr plate config (YAML): alphabet, slots, crop size, pad character and regions come from it. */
	configPath?: string;
	provider?: ProviderPreference;
	/** Without a config: the model's characters (default DEFAULT_ALPHABET). */
	alphabet?: string;
}

/** A reading with its per-slot probability rows kept, so plate patterns and frame voting can reuse them. */
export interface SlotReading extends PlateReading {
	/** slots × alphabet probabilities. */
	probabilities: Float32Array;
	slots: number;
	/** The plate's country as the reader predicts it (readers with a region output, such as cct_xs_v2_global). */
	region?: string;
	/** The reader's probability for that region, 0..1. */
	regionConfidence?: number;
}

const EXPECTED = 'a fast-plate-ocr model with a uint8 [N,H,W,3] input and a [N,slots,alphabet] output';

function modelMismatch(modelPath: string, why: string): AgenticError {
	return new AgenticError('invalid_input', `The OCR model ${modelPath} ${why}; expected ${EXPECTED}`, {
		field: 'OCR Model Path',
		description: 'Give the path of a fast-plate-ocr ONNX model such as cct_xs_v2_global.onnx, and its plate config in "OCR Config Path".',
	});
}

/** What the reader takes from its config, or, without one, from the model's shapes and the given alphabet. */
function readerLayout(options: OcrOptions): Pick<PlateConfig, 'alphabet' | 'padChar' | 'plateRegions'> & Partial<PlateConfig> {
	if (options.configPath) return readPlateConfig(options.configPath);
	return { alphabet: options.alphabet ?? DEFAULT_ALPHABET, padChar: PAD_CHAR, plateRegions: [] };
}

export class PlateOcrModel {
	private constructor(
		private readonly loaded: LoadedSession,
		readonly inputHeight: number,
		readonly inputWidth: number,
		readonly alphabet: string,
		readonly padChar: string,
		/** The countries of the model's region output; empty when it has none. */
		readonly regions: string[],
		private readonly plateOutput: string,
		private readonly regionOutput: string | undefined,
	) {}

	static async load(options: OcrOptions): Promise<PlateOcrModel> {
		const layout = readerLayout(options);
		const loaded = await loadSession(options.modelPath, options.provider ?? 'auto', EXPECTED);
		const { session } = loaded;
		const input = session.inputMetadata[0];
		const shape = tensorShape(input);
		const { alphabet } = layout;
		const plateOutput = session.outputNames.includes('plate') ? 'plate' : session.outputNames[0];
		const output = tensorShape(session.outputMetadata[session.outputNames.indexOf(plateOutput)]);
		const inputOk = input?.isTensor && input.type === 'uint8' && shape.length === 4 && shape[3] === 3 && shape[1] && shape[2];
		const outputOk = output.length === 3 && (output[2] === undefined || output[2] === alphabet.length);
		if (!inputOk || !outputOk) {
			const got = JSON.stringify(input?.isTensor ? [input.type, input.shape] : input?.name);
			throw modelMismatch(options.modelPath, `has input ${got} and output [${output.join(',')}] (${alphabet.length} characters expected)`);
		}
		if (layout.imageHeight !== undefined && (shape[1] !== layout.imageHeight || shape[2] !== layout.imageWidth)) {
			throw modelMismatch(options.modelPath, `takes ${shape[2]}×${shape[1]} crops but its config says ${layout.imageWidth}×${layout.imageHeight}`);
		}
		const regionOutput = layout.plateRegions.length > 0 && session.outputNames.includes('region') ? 'region' : undefined;
		const regions = regionOutput ? layout.plateRegions : [];
		return new PlateOcrModel(loaded, shape[1] as number, shape[2] as number, alphabet, layout.padChar, regions, plateOutput, regionOutput);
	}

	get provider() {
		return this.loaded.provider;
	}

	/** Why a GPU that was asked for is not used, when that happened. */
	get providerNote() {
		return this.loaded.fallbackReason;
	}

	/** Reads a batch of crops, each inputHeight×inputWidth×3 RGB bytes laid end to end in `batch`. */
	async read(batch: Uint8Array, count: number): Promise<SlotReading[]> {
		if (count === 0) return [];
		const { session } = this.loaded;
		const { Tensor } = this.loaded.ort;
		const tensor = new Tensor('uint8', batch, [count, this.inputHeight, this.inputWidth, 3]);
		const outputs = await session.run({ [session.inputNames[0]]: tensor });
		const out = outputs[this.plateOutput];
		const [, slots, chars] = out.dims;
		const data = out.data as Float32Array;
		const regionData = this.regionOutput ? (outputs[this.regionOutput].data as Float32Array) : undefined;
		const readings: SlotReading[] = [];
		for (let n = 0; n < count; n++) {
			const probabilities = data.slice(n * slots * chars, (n + 1) * slots * chars);
			const reading = decodeSlots(probabilities, slots, this.alphabet, undefined, this.padChar);
			if (regionData) Object.assign(reading, bestRegion(regionData, n, this.regions));
			readings.push(reading);
		}
		return readings;
	}
}

/** The most probable region of crop `n`. */
function bestRegion(data: Float32Array, n: number, regions: string[]): { region: string; regionConfidence: number } {
	const k = regions.length;
	let best = 0;
	for (let r = 1; r < k; r++) if (data[n * k + r] > data[n * k + best]) best = r;
	return { region: regions[best], regionConfidence: round3(data[n * k + best]) };
}

/** Greedy per-slot decoding; an optional allowed-set per slot restricts the choice (plate patterns). */
export function decodeSlots(
	probabilities: Float32Array,
	slots: number,
	alphabet: string,
	allowed?: Array<string | undefined>,
	padChar = PAD_CHAR,
): SlotReading {
	const chars = alphabet.length;
	let text = '';
	const charConfidences: number[] = [];
	let sum = 0;
	for (let s = 0; s < slots; s++) {
		let best = -1;
		let bestP = -1;
		const set = allowed?.[s];
		for (let c = 0; c < chars; c++) {
			if (set !== undefined && !set.includes(alphabet[c])) continue;
			const p = probabilities[s * chars + c];
			if (p > bestP) {
				bestP = p;
				best = c;
			}
		}
		sum += bestP;
		const ch = alphabet[best];
		if (ch !== padChar) {
			text += ch;
			charConfidences.push(round3(bestP));
		}
	}
	return { plateText: text, confidence: round3(sum / slots), charConfidences, probabilities, slots };
}

function round3(v: number): number {
	return Math.round(v * 1000) / 1000;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/**
 * Plate formats as patterns: `A` a letter, `9` a digit, `?` any character (e.g. `AA99AAA` for UK plates).
 * Among patterns as long as the raw reading, the most probable one decides each slot's letter/digit class,
 * which settles O/0, I/1, B/8, S/5 from the model's own probabilities.
 */
export function applyPlatePatterns(reading: SlotReading, patterns: string[], alphabet = DEFAULT_ALPHABET, padChar = PAD_CHAR): SlotReading {
	let best: SlotReading | undefined;
	let bestScore = -Infinity;
	for (const raw of patterns) {
		const pattern = raw.trim().toUpperCase();
		if (pattern.length !== reading.plateText.length || pattern.length > reading.slots) continue;
		const allowed: string[] = [];
		for (let s = 0; s < reading.slots; s++) {
			const p = pattern[s];
			allowed.push(p === undefined ? padChar : p === 'A' ? LETTERS : p === '9' ? DIGITS : LETTERS + DIGITS);
		}
		const candidate = decodeSlots(reading.probabilities, reading.slots, alphabet, allowed, padChar);
		if (candidate.confidence > bestScore) {
			bestScore = candidate.confidence;
			best = candidate;
		}
	}
	return best ? { ...best, region: reading.region, regionConfidence: reading.regionConfidence } : reading;
}

/** Checks a pattern list, so a typo is reported instead of silently never matching. */
export function validatePlatePatterns(patterns: string[]): string[] {
	const clean = patterns.map((p) => p.trim().toUpperCase()).filter((p) => p.length > 0);
	for (const p of clean) {
		if (!/^[A9?]+$/.test(p)) {
			throw new AgenticError('invalid_input', `Plate pattern "${p}" may only use A (letter), 9 (digit) and ? (any)`, {
				field: 'Plate Patterns',
				description: 'Write each plate format with A for a letter, 9 for a digit and ? for either, e.g. AA99AAA.',
			});
		}
	}
	return clean;
}
