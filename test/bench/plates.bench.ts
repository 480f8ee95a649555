// `npm run bench -- plates`: end-to-end latency on 1080p JPEGs and frame throughput on a 720p MP4, CPU provider.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { Alpr } from '../../nodes/PlateDetector/vision/alpr';
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

export async function run(args: string[]): Promise<void> {
	if (!existsSync(join(fixtures, 'models'))) throw new Error(`Plate benchmark needs the shared fixtures at ${fixtures}`);
	const iterations = Number(args[args.indexOf('--iterations') + 1]) || 60;
	const models = join(fixtures, 'models');
	const options = {
		detector: { modelPath: join(models, 'y5fu_320x_sim.onnx'), provider: 'cpu' as const },
		ocr: { modelPath: join(models, 'cct_xs_v1_global.onnx'), provider: 'cpu' as const },
	};
	const loadStart = performance.now();
	const alpr = await Alpr.create(options);
	const firstLoadMs = performance.now() - loadStart;
	const before = sessions.sessionsCreated;
	const secondStart = performance.now();
	await Alpr.create(options);
	const secondLoadMs = performance.now() - secondStart;
	console.log(JSON.stringify({ step: 'load', firstLoadMs: +firstLoadMs.toFixed(1), secondLoadMs: +secondLoadMs.toFixed(2), sessionsCreatedBySecondLoad: sessions.sessionsCreated - before }));

	const jpegs = await make1080p();
	for (const j of jpegs) await alpr.predict(j);
	const times: number[] = [];
	let plates = 0;
	// CPU time (all threads) per image does not grow when other processes share the cores, unlike wall time.
	const cpuBefore = process.cpuUsage();
	for (let i = 0; i < iterations; i++) {
		const t0 = performance.now();
		const result = await alpr.predict(jpegs[i % jpegs.length]);
		times.push(performance.now() - t0);
		plates += result.plates.length;
	}
	const cpu = process.cpuUsage(cpuBefore);
	const msP50Jpeg1080p = +p50(times).toFixed(2);
	console.log(
		JSON.stringify({
			step: 'jpeg1080p',
			iterations,
			msP50: msP50Jpeg1080p,
			msMax: +Math.max(...times).toFixed(2),
			cpuMsPerImage: +((cpu.user + cpu.system) / 1000 / iterations).toFixed(2),
			platesPerImage: +(plates / iterations).toFixed(2),
		}),
	);

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
	console.log(JSON.stringify({ suite: 'plates', provider: alpr.provider, msP50Jpeg1080p, videoFps720p }));
}

if (require.main === module) {
	run(process.argv.slice(2)).catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
