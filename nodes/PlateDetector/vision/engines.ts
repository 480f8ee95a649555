// The plate engine's native engines, onnxruntime-node and sharp, loaded on first use: importing the node loads neither.
import type * as Ort from 'onnxruntime-node';
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
