// The plate engine's runtimes, loaded on first use (importing the node loads none): onnxruntime-node and sharp, and
// where those cannot load, onnxruntime-web's WebAssembly build and pure-JS image codecs.
import type * as Ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import type SharpModule from 'sharp';
import { AgenticError } from '../../shared/errors';

const loading = new Map<string, Promise<unknown>>();

function engineMissing(name: string, role: string, error: unknown): AgenticError {
	return new AgenticError('internal', `The plate engine could not load ${name} (${role}): ${(error as Error).message.split('\n')[0]}`, {
		description: `Reinstall the n8n-nodes-agentic package so that ${name} and its native binary for this platform (${process.platform}-${process.arch}) are installed, then restart n8n.`,
		cause: error,
	});
}

/**
 * The module `name`, imported once; a failure to load it (a missing or broken native build) becomes an error naming
 * the engine and what to do, instead of a stack trace from deep inside the package.
 */
export function loadEngine<T>(name: string, role: string): Promise<T> {
	let pending = loading.get(name) as Promise<T> | undefined;
	if (!pending) {
		pending = (import(name) as Promise<T>).catch((error: unknown) => {
			loading.delete(name);
			throw engineMissing(name, role, error);
		});
		loading.set(name, pending);
	}
	return pending;
}

/** onnxruntime-node, which runs the detector and reader models. */
export function onnxRuntime(): Promise<typeof Ort> {
	return loadEngine<typeof Ort>('onnxruntime-node', 'the ONNX runtime that runs the plate models');
}

/** sharp, which decodes photos and draws the annotated image. */
export async function sharpImages(): Promise<typeof SharpModule> {
	return (await loadEngine<{ default: typeof SharpModule }>('sharp', 'the image library that decodes photos')).default;
}

/**
 * Why a native engine cannot load on this host, in the user's terms: musl libc (Alpine, n8n's Docker image) is named,
 * since onnxruntime-node ships glibc binaries only.
 */
export function whyNotLoaded(error: unknown): string {
	const report = process.platform === 'linux' ? (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined) : undefined;
	if (report?.header && !report.header.glibcVersionRuntime) return 'musl libc';
	const cause = (error as { cause?: Error }).cause ?? (error as Error);
	return (cause?.message ?? String(error)).split('\n')[0];
}

/**
 * WebAssembly threads for onnxruntime-web: half the cores, at most 4. Measured on 2 shared cores: two threads made each
 * detector run ~2× slower than one, as the threads spin against each other and against n8n.
 */
export function wasmThreads(cores = availableParallelism()): number {
	return Math.max(1, Math.min(4, Math.floor(cores / 2)));
}

/** onnxruntime-web's WebAssembly build (SIMD), which runs the same models where onnxruntime-node cannot load. */
export async function onnxRuntimeWeb(): Promise<typeof Ort> {
	const ort = await loadEngine<typeof Ort & { env: { wasm: { numThreads?: number } } }>('onnxruntime-web', 'the WebAssembly ONNX runtime');
	ort.env.wasm.numThreads ??= wasmThreads();
	return ort;
}

let sharpState: Promise<typeof SharpModule | undefined> | undefined;

/** sharp when it loads, undefined where it cannot (then the pure-JS codecs decode): asked once per process. */
export function sharpIfAvailable(): Promise<typeof SharpModule | undefined> {
	sharpState ??= sharpImages().catch(() => undefined);
	return sharpState;
}
