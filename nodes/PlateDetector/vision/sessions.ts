// ONNX Runtime sessions: created once per model file + provider per process, GPU tried first when asked, CPU fallback,
// and onnxruntime-web's WebAssembly build where onnxruntime-node cannot load (or when asked for).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { AgenticError } from '../../shared/errors';
import { onnxRuntime, onnxRuntimeWeb, whyNotLoaded } from './engines';
import type { ExecutionProviderName } from './types';

/**
 * 'auto' tries CUDA and falls back to CPU; 'cuda'/'tensorrt' do the same but say so when they could not run; 'wasm' runs on
 * onnxruntime-web, as every preference does where onnxruntime-node cannot load.
 */
export type ProviderPreference = 'auto' | ExecutionProviderName;

export interface LoadedSession {
	session: Ort.InferenceSession;
	/** The runtime the session belongs to: its tensors are made with this runtime's Tensor. */
	ort: typeof Ort;
	/** The provider the session actually runs on. */
	provider: ExecutionProviderName;
	/** Why a GPU provider that was asked for is not used, when it is not. */
	fallbackReason?: string;
	modelPath: string;
}

const cache = new Map<string, Promise<LoadedSession>>();

/** How many sessions this process has created (benchmarks check the second run loads nothing). */
export let sessionsCreated = 0;

function gpuChain(preference: ProviderPreference): ExecutionProviderName[][] {
	if (preference === 'tensorrt') return [['tensorrt', 'cuda'], ['cuda']];
	if (preference === 'cuda' || preference === 'auto') return [['cuda']];
	return [];
}

function sessionOptions(providers: ExecutionProviderName[]): Ort.InferenceSession.SessionOptions {
	return {
		// A GPU provider that cannot load is expected on CPU-only hosts and reported in the output, not logged as an error.
		logSeverityLevel: providers[0] === 'cpu' ? 2 : 4,
		executionProviders: providers,
		graphOptimizationLevel: 'all',
		interOpNumThreads: 1,
		// With two models alternating on few cores, spinning threads steal each other's time (measured 2.6x slower).
		extra: { session: { intra_op: { allow_spinning: '0' } } },
	};
}

function modelFileError(path: string, expected: string, cause?: unknown, runtime = ''): AgenticError {
	const why = cause instanceof Error ? `: ${cause.message.split('\n')[0]}` : '';
	return new AgenticError('invalid_input', `Could not load the model file ${path}${runtime}${why}`, {
		field: expected,
		description: `Give the path of an ONNX model file (${expected}).`,
		cause,
	});
}

/**
 * Returns the cached session for this model file and provider preference, creating it on first use.
 * `expected` names what the file should be, for error messages ("a YOLO plate detector").
 */
export function loadSession(modelPath: string, preference: ProviderPreference, expected: string): Promise<LoadedSession> {
	let mtime: number;
	try {
		const stat = statSync(modelPath);
		if (!stat.isFile()) throw new Error('not a file');
		mtime = stat.mtimeMs;
	} catch (error) {
		return Promise.reject(
			new AgenticError('invalid_input', `Model file not found: ${modelPath}`, {
				field: expected,
				description: `Give the path of an existing ONNX model file (${expected}).`,
				cause: error,
			}),
		);
	}
	const key = `${modelPath}\u0000${mtime}\u0000${preference}`;
	let pending = cache.get(key);
	if (!pending) {
		pending = createSession(modelPath, preference, expected);
		cache.set(key, pending);
		// A failed load is not cached: the user may fix the file and run again.
		pending.catch(() => cache.delete(key));
	}
	return pending;
}

/** The CUDA and cuDNN major versions onnxruntime-node 1.30's GPU libraries (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux) need. */
const GPU_NEEDS = 'CUDA 12.x and cuDNN 9.x on the library path, NVIDIA driver 525 or later';

/** The one step that fetches onnxruntime-node's GPU libraries, which n8n's install (without scripts) never runs. */
export function gpuInstallStep(runtimeDir: string): string {
	return `run "ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js" in ${runtimeDir}, then restart n8n (needs ${GPU_NEEDS})`;
}

/**
 * onnxruntime-node loads GPU providers only from its own folder, and ships them for Linux x64 only; without the library
 * there, trying is pointless, and the note says how to get it.
 */
function missingProviderLibrary(provider: ExecutionProviderName): string | undefined {
	if (process.platform !== 'linux' || process.arch !== 'x64') return `onnxruntime-node has no ${provider} build for ${process.platform}-${process.arch}`;
	let root: string;
	try {
		root = dirname(require.resolve('onnxruntime-node/package.json'));
	} catch {
		return undefined;
	}
	const file = `libonnxruntime_providers_${provider}.so`;
	if (existsSync(join(root, 'bin', 'napi-v6', 'linux', 'x64', file))) return undefined;
	return `onnxruntime-node has no ${file} (n8n installs packages without their install scripts, so its GPU libraries were not fetched); to enable it, ${gpuInstallStep(root)}`;
}

async function createSession(modelPath: string, preference: ProviderPreference, expected: string): Promise<LoadedSession> {
	if (preference === 'wasm') return createWasmSession(modelPath, expected, 'the WebAssembly runtime was chosen as Execution Provider');
	let ort: typeof Ort;
	try {
		ort = await onnxRuntime();
	} catch (error) {
		const gpu = preference === 'cuda' || preference === 'tensorrt' ? `${preference} unavailable (it needs onnxruntime-node); ` : '';
		return createWasmSession(modelPath, expected, `${gpu}onnxruntime-node could not load on this system (${whyNotLoaded(error)}): using the WebAssembly runtime`);
	}
	let fallbackReason: string | undefined;
	for (const providers of gpuChain(preference)) {
		const missing = missingProviderLibrary(providers[0]);
		if (missing) {
			fallbackReason = `${providers[0]} unavailable: ${missing}`;
			continue;
		}
		try {
			const session = await ort.InferenceSession.create(modelPath, sessionOptions(providers));
			sessionsCreated++;
			return { session, ort, provider: providers[0], modelPath };
		} catch (error) {
			fallbackReason = `${providers[0]} unavailable: ${(error as Error).message.split('\n')[0]} (it needs ${GPU_NEEDS})`;
		}
	}
	try {
		const session = await ort.InferenceSession.create(modelPath, sessionOptions(['cpu']));
		sessionsCreated++;
		return { session, ort, provider: 'cpu', fallbackReason: preference === 'cpu' ? undefined : fallbackReason, modelPath };
	} catch (error) {
		throw modelFileError(modelPath, expected, error);
	}
}

/** A session on onnxruntime-web's WebAssembly build; `why` becomes the provider note. */
async function createWasmSession(modelPath: string, expected: string, why: string): Promise<LoadedSession> {
	const ort = await onnxRuntimeWeb();
	try {
		// onnxruntime-web takes the model's bytes (a path would be fetched as a URL).
		const session = await ort.InferenceSession.create(readFileSync(modelPath), {
			executionProviders: ['wasm'],
			graphOptimizationLevel: 'all',
			logSeverityLevel: 3,
		});
		sessionsCreated++;
		return { session, ort, provider: 'wasm', fallbackReason: why, modelPath };
	} catch (error) {
		// Which runtime refused the file, and why that one ran, help tell a bad file from a broken install.
		throw modelFileError(modelPath, expected, error, ` on the WebAssembly runtime (${why})`);
	}
}

/** Input or output shape from the model's metadata; symbolic dimensions become undefined. */
export function tensorShape(meta: Ort.InferenceSession.ValueMetadata | undefined): Array<number | undefined> {
	if (!meta || !meta.isTensor) return [];
	return meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : undefined));
}
