// Default models: pinned download URLs and SHA-256 values, fetched once into the n8n user folder and verified.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agenticDataDir } from '../../shared/dataDir';
import { AgenticError } from '../../shared/errors';

export interface DefaultModel {
	file: string;
	url: string;
	sha256: string;
	/** Where the file comes from, for people checking what runs on their machine. */
	provenance: string;
}

/** HyperLPR3's YOLOv5-face style plate detector (Apache-2.0), 320×320, output [1,6300,15] with 4 corners. */
export const DEFAULT_DETECTOR: DefaultModel = {
	file: 'y5fu_320x_sim.onnx',
	url: 'https://raw.githubusercontent.com/szad670401/HyperLPR/58ad4ef736fec5289e8c8cb842e066e70c4672c3/resource/models/onnx/y5fu_320x_sim.onnx',
	sha256: '2a985dc63a5cc947ec36d18503d6fc0fd54525b9dba17f2fe29a71e86b44456d',
	provenance: 'szad670401/HyperLPR @ 58ad4ef7 resource/models/onnx/y5fu_320x_sim.onnx (Apache-2.0)',
};

/** fast-plate-ocr's cct_xs_v1_global (MIT): uint8 [N,64,128,3] RGB in, [N,9,37] out; no region output. */
export const OCR_V1: DefaultModel = {
	file: 'cct_xs_v1_global.onnx',
	url: 'https://raw.githubusercontent.com/NateMccomb/TeslaCamViewer/ef7496bb6b021a13bd62ceb0a01d19a131101829/vendor/models/cct_xs_v1_global.onnx',
	sha256: 'c1ae2ae031b10f8ab7ed6e3cdaf8d9c753477e299dbad3579c8f705a7d882134',
	provenance: 'byte copy of ankandrew/fast-plate-ocr cct_xs_v1_global in NateMccomb/TeslaCamViewer @ ef7496bb (MIT)',
};

/** fast-plate-ocr's cct_xs_v2_global (MIT): uint8 [N,64,128,3] RGB in, `plate` [N,10,37] and `region` [N,66] out. */
export const OCR_V2: DefaultModel = {
	file: 'cct_xs_v2_global.onnx',
	url: 'https://github.com/ankandrew/fast-plate-ocr/releases/download/arg-plates/cct_xs_v2_global.onnx',
	sha256: '8031afb5fdc6b4d80462c9d542f1284ebd2cfddf5dbacd62609848d7e2855f44',
	provenance: 'ankandrew/fast-plate-ocr release arg-plates, asset cct_xs_v2_global.onnx (MIT)',
};

/** cct_xs_v2_global's plate config: its alphabet, slots, crop size, pad character and the 66 region names. */
export const OCR_V2_CONFIG: DefaultModel = {
	file: 'cct_xs_v2_global_plate_config.yaml',
	url: 'https://github.com/ankandrew/fast-plate-ocr/releases/download/arg-plates/cct_xs_v2_global_plate_config.yaml',
	sha256: '0335c74a305173bb6f393efed0fde03cadeaa0b649ed8e19f431016d8232d0a6',
	provenance: 'ankandrew/fast-plate-ocr release arg-plates, asset cct_xs_v2_global_plate_config.yaml (MIT)',
};

/** The default reader. */
export const DEFAULT_OCR = OCR_V2;

/** The readers the node offers: the model file and, where it has one, its plate config. */
export const READERS = {
	v2: { model: OCR_V2, config: OCR_V2_CONFIG },
	v1: { model: OCR_V1, config: undefined },
} as const satisfies Record<string, { model: DefaultModel; config?: DefaultModel }>;

export type ReaderVersion = keyof typeof READERS;

/** Fetches a URL's bytes; the node passes n8n's HTTP helper so proxy settings apply. */
export type BinaryFetcher = (url: string) => Promise<Buffer>;

export const fetchBinary: BinaryFetcher = async (url) => {
	const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
	if (!response.ok) throw new Error(`HTTP ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
};

/** `<N8N_USER_FOLDER or home>/.n8n/agentic/models`. */
export function defaultModelDir(): string {
	return agenticDataDir('models');
}

export interface EnsureOptions {
	dir?: string;
	/** Replaces the URL's origin+path prefix up to the file name (a mirror); also `AGENTIC_MODELS_BASE_URL`. */
	baseUrl?: string;
	fetcher?: BinaryFetcher;
}

const verified = new Set<string>();
const pending = new Map<string, Promise<string>>();

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** Returns the local path of a default model, downloading and verifying it the first time. */
export function ensureModel(model: DefaultModel, options: EnsureOptions = {}): Promise<string> {
	const dir = options.dir ?? defaultModelDir();
	const path = join(dir, model.file);
	if (verified.has(path)) return Promise.resolve(path);
	let job = pending.get(path);
	if (!job) {
		job = download(model, path, dir, options).finally(() => pending.delete(path));
		pending.set(path, job);
	}
	return job;
}

async function download(model: DefaultModel, path: string, dir: string, options: EnsureOptions): Promise<string> {
	if (existsSync(path) && sha256(readFileSync(path)) === model.sha256) {
		verified.add(path);
		return path;
	}
	const base = options.baseUrl ?? process.env.AGENTIC_MODELS_BASE_URL;
	const url = base ? `${base.replace(/\/+$/, '')}/${model.file}` : model.url;
	let bytes: Buffer;
	try {
		bytes = await (options.fetcher ?? fetchBinary)(url);
	} catch (error) {
		throw downloadFailed(model, url, dir, error);
	}
	const got = sha256(bytes);
	if (got !== model.sha256) {
		throw new AgenticError('upstream', `Downloaded ${model.file} does not match its pinned SHA-256 (got ${got}, expected ${model.sha256}); it was discarded`, {
			description: `Download ${model.url} yourself, check its SHA-256, and give its path in the node's model path option.`,
		});
	}
	mkdirSync(dir, { recursive: true });
	// Write beside the target and rename: a crash never leaves a partial file under the real name.
	const temp = `${path}.${randomBytes(6).toString('hex')}.part`;
	try {
		writeFileSync(temp, bytes);
		renameSync(temp, path);
	} finally {
		rmSync(temp, { force: true });
	}
	verified.add(path);
	return path;
}

function downloadFailed(model: DefaultModel, url: string, dir: string, error: unknown): AgenticError {
	return new AgenticError('upstream', `Could not download the default model ${model.file} from ${url}: ${(error as Error).message}`, {
		description: `Without internet access, copy ${model.file} into ${dir}, or give a model file path in the node's options.`,
		cause: error,
	});
}

/** The local paths of a default reader's model and config, each downloaded and verified the first time. */
export async function ensureReader(version: ReaderVersion, options: EnsureOptions = {}): Promise<{ modelPath: string; configPath?: string }> {
	const { model, config } = READERS[version];
	const [modelPath, configPath] = await Promise.all([ensureModel(model, options), config ? ensureModel(config, options) : undefined]);
	return { modelPath, configPath };
}
