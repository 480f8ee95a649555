// `npm run bench -- plates`: end-to-end latency on 1080p JPEGs (onnxruntime-node's CPU provider and onnxruntime-web's
// WebAssembly), the floor under it measured in the same process, and frame throughput on a 720p MP4.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { Alpr, type AlprOptions, type Prediction } from '../../nodes/PlateDetector/vision/alpr';
import { toChwFloat } from '../../nodes/PlateDetector/vision/decode';
import { loadSession, type LoadedSession } from '../../nodes/PlateDetector/vision/sessions';
import * as sessions from '../../nodes/PlateDetector/vision/sessions';
import { PlateTracker, readFrames } from '../../nodes/PlateDetector/vision/video';

const fixtures = resolve(__dirname, '../../../shared/fixtures');
const generated = resolve(__dirname, '../fixtures/generated');

function p50(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

/** 1080p JPEGs made from the labelled photos (plates keep their share of the frame). */
async function make1080p(): Promise<Buffer[]> {
	const dir = join(fixtures, 'plates/eu');
	const names = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, 8);
	return Promise.all(names.map((n) => sharp(join(dir, n)).resize(1920, 1080, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer()));
}

/** A 720p, 30 fps H.264 MP4 showing each of a few photos for one second. */
export function make720pVideo(seconds = 8): string {
	mkdirSync(generated, { recursive: true });
	const file = join(generated, `plates-720p-${seconds}s.mp4`);
	if (existsSync(file)) return file;
	const dir = join(fixtures, 'plates/eu');
	const names = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, seconds);
	const args = ['-hide_banner', '-loglevel', 'error', '-y'];
	for (const n of names) args.push('-loop', '1', '-framerate', '30', '-t', '1', '-i', join(dir, n));
	const scaled = names.map((_, i) => `[${i}:v]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v${i}]`);
	const concat = `${names.map((_, i) => `[v${i}]`).join('')}concat=n=${names.length}:v=1:a=0[out]`;
	args.push('-filter_complex', [...scaled, concat].join(';'), '-map', '[out]', '-r', '30', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', file);
	execFileSync('ffmpeg', args);
	return file;
}

interface Latency {
	msP50: number;
	/** Where the time goes, p50 of each part (Alpr's timings: detect includes decoding and letterboxing). */
	detectMsP50: number;
	readMsP50: number;
	cpuMsPerImage: number;
	platesPerImage: number;
}

/** End-to-end `predict` latency on the JPEGs, after one warm-up pass. */
async function latency(alpr: Alpr, jpegs: Buffer[], iterations: number): Promise<Latency> {
	for (const j of jpegs) await alpr.predict(j);
	const runs: Array<{ ms: number; prediction: Prediction }> = [];
	// CPU time (all threads) per image does not grow when other processes share the cores, unlike wall time.
	const cpuBefore = process.cpuUsage();
	for (let i = 0; i < iterations; i++) {
		const t0 = performance.now();
		const prediction = await alpr.predict(jpegs[i % jpegs.length]);
		runs.push({ ms: performance.now() - t0, prediction });
	}
	const cpu = process.cpuUsage(cpuBefore);
	return {
		msP50: +p50(runs.map((r) => r.ms)).toFixed(2),
		detectMsP50: +p50(runs.map((r) => r.prediction.timings.detectMs)).toFixed(2),
		readMsP50: +p50(runs.map((r) => r.prediction.timings.ocrMs)).toFixed(2),
		cpuMsPerImage: +((cpu.user + cpu.system) / 1000 / iterations).toFixed(2),
		platesPerImage: +(runs.reduce((n, r) => n + r.prediction.plates.length, 0) / iterations).toFixed(2),
	};
}

/**
 * The floor no pipeline on these models can beat: each JPEG decoded straight to the detector's size (libjpeg shrinking
 * while it decodes), one detector run, and one reader run on a ready 128×64 crop; nothing else.
 */
async function floor(detector: LoadedSession, reader: LoadedSession, jpegs: Buffer[], iterations: number) {
	const { Tensor } = detector.ort;
	const crop = new reader.ort.Tensor('uint8', new Uint8Array(64 * 128 * 3).fill(128), [1, 64, 128, 3]);
	const parts = { decode: [] as number[], detect: [] as number[], read: [] as number[], total: [] as number[] };
	for (let i = 0; i < iterations + jpegs.length; i++) {
		const t0 = performance.now();
		const { data } = await sharp(jpegs[i % jpegs.length]).resize(320, 320, { fit: 'contain', background: '#000' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
		const t1 = performance.now();
		await detector.session.run({ [detector.session.inputNames[0]]: new Tensor('float32', toChwFloat(data, 320, 320), [1, 3, 320, 320]) });
		const t2 = performance.now();
		await reader.session.run({ [reader.session.inputNames[0]]: crop });
		const t3 = performance.now();
		if (i < jpegs.length) continue;
		parts.decode.push(t1 - t0);
		parts.detect.push(t2 - t1);
		parts.read.push(t3 - t2);
		parts.total.push(t3 - t0);
	}
	const f = (v: number[]) => +p50(v).toFixed(2);
	return { msP50: f(parts.total), decodeMsP50: f(parts.decode), detectMsP50: f(parts.detect), readMsP50: f(parts.read) };
}

function pipelineOptions(models: string, provider: 'cpu' | 'wasm'): AlprOptions {
	return {
		detector: { modelPath: join(models, 'y5fu_320x_sim.onnx'), provider },
		ocr: { modelPath: join(models, 'cct_xs_v2_global.onnx'), configPath: join(models, 'cct_xs_v2_global_plate_config.yaml'), provider },
	};
}

export async function run(args: string[]): Promise<void> {
	if (!existsSync(join(fixtures, 'models'))) throw new Error(`Plate benchmark needs the shared fixtures at ${fixtures}`);
	const iterations = Number(args[args.indexOf('--iterations') + 1]) || 60;
	const models = join(fixtures, 'models');
	const options = pipelineOptions(models, 'cpu');
	const loadStart = performance.now();
	const alpr = await Alpr.create(options);
	const firstLoadMs = performance.now() - loadStart;
	const before = sessions.sessionsCreated;
	const secondStart = performance.now();
	await Alpr.create(options);
	const secondLoadMs = performance.now() - secondStart;
	console.log(JSON.stringify({ step: 'load', firstLoadMs: +firstLoadMs.toFixed(1), secondLoadMs: +secondLoadMs.toFixed(2), sessionsCreatedBySecondLoad: sessions.sessionsCreated - before }));

	const jpegs = await make1080p();
	const native = await latency(alpr, jpegs, iterations);
	const msP50Jpeg1080p = native.msP50;
	console.log(JSON.stringify({ step: 'jpeg1080p', provider: alpr.provider, iterations, ...native }));

	const expected = 'a model';
	const nativeFloor = await floor(await loadSession(options.detector.modelPath, 'cpu', expected), await loadSession(options.ocr.modelPath, 'cpu', expected), jpegs, iterations);
	console.log(JSON.stringify({ step: 'floor', provider: 'cpu', iterations, ...nativeFloor, endToEndOverFloor: +(msP50Jpeg1080p / nativeFloor.msP50).toFixed(2) }));

	const wasmOptions = pipelineOptions(models, 'wasm');
	const wasm = await Alpr.create(wasmOptions);
	const wasmIterations = Math.max(10, Math.round(iterations / 3));
	const onWasm = await latency(wasm, jpegs, wasmIterations);
	const msP50Jpeg1080pWasm = onWasm.msP50;
	console.log(JSON.stringify({ step: 'jpeg1080pWasm', provider: wasm.provider, iterations: wasmIterations, ...onWasm, overNative: +(msP50Jpeg1080pWasm / msP50Jpeg1080p).toFixed(2) }));
	const wasmFloor = await floor(
		await loadSession(wasmOptions.detector.modelPath, 'wasm', expected),
		await loadSession(wasmOptions.ocr.modelPath, 'wasm', expected),
		jpegs,
		wasmIterations,
	);
	console.log(JSON.stringify({ step: 'floorWasm', provider: 'wasm', iterations: wasmIterations, ...wasmFloor, endToEndOverFloor: +(msP50Jpeg1080pWasm / wasmFloor.msP50).toFixed(2) }));

	const video = make720pVideo();
	const tracker = new PlateTracker();
	const vStart = performance.now();
	let frames = 0;
	for await (const frame of readFrames({ file: video }, { fps: 30 })) {
		const result = await alpr.predict(frame.image);
		tracker.add(frame.index, frame.timestampSeconds, result.plates);
		frames++;
	}
	const seconds = (performance.now() - vStart) / 1000;
	const videoFps720p = +(frames / seconds).toFixed(1);
	console.log(JSON.stringify({ step: 'video720p', frames, seconds: +seconds.toFixed(2), fps: videoFps720p, platesReported: tracker.finish().map((p) => p.best.plateText) }));
	console.log(
		JSON.stringify({
			suite: 'plates',
			provider: alpr.provider,
			msP50Jpeg1080p,
			floorMsP50: nativeFloor.msP50,
			videoFps720p,
			providerWasm: wasm.provider,
			msP50Jpeg1080pWasm,
			floorMsP50Wasm: wasmFloor.msP50,
		}),
	);
}

if (require.main === module) {
	run(process.argv.slice(2)).catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
