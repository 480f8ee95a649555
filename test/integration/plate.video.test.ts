// Video and streams through real ffmpeg: frames at N fps, one report per plate with timestamps, clear errors for bad sources.
import { runInThisContext } from 'node:vm';
// Jest gives each test file its own Float32Array, but onnxruntime-node builds outputs with Node's: use Node's here too.
(globalThis as { Float32Array: unknown }).Float32Array = runInThisContext('Float32Array');
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as httpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { AgenticError } from '../../nodes/shared/errors';
import { Alpr } from '../../nodes/PlateDetector/vision/alpr';
import { MAX_QUEUED_FRAMES, PlateTracker, readFrames } from '../../nodes/PlateDetector/vision/video';
import { PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';

const videoFixtures = requireFixtures('the plate video tests', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, 'plates/eu/eu1.jpg', 'plates/eu/eu10.jpg', 'plates/eu/eu5.jpg', 'plates/README.md']);
const fixtures = videoFixtures.path('.');
const generated = resolve(__dirname, '../fixtures/generated');
const describeWithModels = videoFixtures.describe;

/** A 2-second-per-photo 640×360 video of three labelled photos (eu1 M5XSX, eu10, eu5 OY09FEU). */
function makeVideo(container: 'mp4' | 'mkv'): string {
	mkdirSync(generated, { recursive: true });
	const file = join(generated, `plates-test.${container}`);
	if (existsSync(file)) return file;
	const photos = ['eu1.jpg', 'eu10.jpg', 'eu5.jpg'].map((f) => join(fixtures, 'plates/eu', f));
	const args = ['-hide_banner', '-loglevel', 'error', '-y'];
	for (const p of photos) args.push('-loop', '1', '-framerate', '10', '-t', '2', '-i', p);
	const scaled = photos.map((_, i) => `[${i}:v]scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v${i}]`);
	args.push('-filter_complex', `${scaled.join(';')};[v0][v1][v2]concat=n=3:v=1:a=0[out]`, '-map', '[out]', '-r', '10', '-c:v', 'libx264', '-preset', 'veryfast', file);
	execFileSync('ffmpeg', args);
	return file;
}

describeWithModels('plates in video', () => {
	let alpr: Alpr;
	beforeAll(async () => {
		const models = join(fixtures, 'models');
		alpr = await Alpr.create({
			detector: { modelPath: join(models, 'y5fu_320x_sim.onnx'), provider: 'cpu' },
			ocr: { modelPath: join(models, 'cct_xs_v1_global.onnx'), provider: 'cpu' },
		});
	});

	it.each(['mp4', 'mkv'] as const)('samples a %s at 2 fps and reports each plate once, when it was seen', async (container) => {
		const tracker = new PlateTracker();
		const stamps: number[] = [];
		for await (const frame of readFrames({ file: makeVideo(container) }, { fps: 2 })) {
			expect([frame.image.width, frame.image.height]).toEqual([640, 360]);
			stamps.push(frame.timestampSeconds);
			tracker.add(frame.index, frame.timestampSeconds, (await alpr.predict(frame.image)).plates);
		}
		expect(stamps).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5]);
		const plates = tracker.finish();
		expect(plates.map((p) => p.best.plateText.replace(/O/g, '0'))).toEqual(['M5XSX', 'WA56660', '0Y09FEU']);
		expect(plates[0]).toMatchObject({ firstSeenSeconds: 0, lastSeenSeconds: 1.5, frames: 4 });
		expect(plates[2]).toMatchObject({ firstSeenSeconds: 4, lastSeenSeconds: 5.5, frames: 4 });
		expect(plates[2].votes).toBeGreaterThanOrEqual(3);
	});
});

describe('video sources that fail', () => {
	async function drain(frames: AsyncGenerator<unknown>) {
		let n = 0;
		for await (const _ of frames) n++;
		return n;
	}

	it('says ffmpeg is missing when it cannot be found', async () => {
		await expect(drain(readFrames({ file: '/tmp/x.mp4' }, { ffmpegPath: '/nonexistent/bin/ffmpeg' }))).rejects.toThrow(
			'ffmpeg was not found (tried "/nonexistent/bin/ffmpeg")',
		);
	});

	it('reports a file ffmpeg cannot decode', async () => {
		await expect(drain(readFrames({ file: join(fixtures, 'plates/README.md') }))).rejects.toThrow(/ffmpeg could not read the video/);
	});

	it('reports a refused stream connection', async () => {
		const server = createServer();
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const { port } = server.address() as { port: number };
		await new Promise((r) => server.close(r));
		await expect(drain(readFrames({ url: `http://127.0.0.1:${port}/cam` }, { frameTimeoutMs: 5000 }))).rejects.toThrow(
			/ffmpeg could not read the stream http:\/\/127\.0\.0\.1:\d+\/cam/,
		);
	});

	it('does not let a stream playlist make ffmpeg read local files', async () => {
		// A real MPEG-TS segment with the .ts extension HLS expects, kept out of the source tree.
		const video = join(mkdtempSync(join(tmpdir(), 'plate-hls-')), 'local-secret.ts');
		execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=320x240:d=1', '-c:v', 'libx264', '-f', 'mpegts', video]);
		const playlist = `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://${video}\n#EXT-X-ENDLIST\n`;
		const server = httpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(playlist));
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const { port } = server.address() as { port: number };
		try {
			await expect(drain(readFrames({ url: `http://127.0.0.1:${port}/live.m3u8` }, { frameTimeoutMs: 5000 }))).rejects.toThrow(
				/ffmpeg could not read the stream http:\/\/127\.0\.0\.1:\d+\/live\.m3u8: .*Protocol 'file' not on whitelist/,
			);
		} finally {
			await new Promise((r) => server.close(r));
		}
	});

	it('gives up on a stream that connects but never sends a frame, and hides the password in the URL', async () => {
		const sockets: Socket[] = [];
		const server: Server = createServer((s) => sockets.push(s));
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const { port } = server.address() as { port: number };
		const started = Date.now();
		try {
			await expect(drain(readFrames({ url: `http://user:secret@127.0.0.1:${port}/cam` }, { frameTimeoutMs: 1500 }))).rejects.toThrow(
				/^No frame arrived from the stream http:\/\/\*\*\*@127\.0\.0\.1:\d+\/cam within 1\.5 s$/,
			);
		} finally {
			sockets.forEach((s) => s.destroy());
			await new Promise((r) => server.close(r));
		}
		expect(Date.now() - started).toBeLessThan(10_000);
	});

	it('refuses a video whose frames are over the pixel limit before buffering a frame', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'plate-big-')), 'big.mp4');
		execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=5:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', file]);
		const failure = await drain(readFrames({ file }, { maxPixels: 100_000 })).then(
			() => undefined,
			(error: AgenticError) => error,
		);
		expect(failure?.message).toBe("The video's frames are 640×480 (0.3 megapixels), over the limit of 0.1");
		expect(failure?.field).toBe('Max Image Megapixels');
		expect(await drain(readFrames({ file }, { maxPixels: 640 * 480 }))).toBe(5);
	});

	it('hides the password of a stream URL however often ffmpeg prints it, even past a long log', async () => {
		// Stands in for ffmpeg refusing a camera: many warning lines, then the URL twice, as ffmpeg's http/rtsp layers print it.
		const fake = join(mkdtempSync(join(tmpdir(), 'fake-ffmpeg-')), 'ffmpeg');
		const url = 'http://admin:p4ss%40word@127.0.0.1:9/cam';
		writeFileSync(
			fake,
			`#!/bin/sh\nfor i in $(seq 1 200); do echo "[hls @ 0x1] skipping a broken packet, line $i" >&2; done\n` +
				`echo "[http @ 0x2] Opening '${url}' for reading" >&2\necho "${url}: Server returned 401 Unauthorized" >&2\n` +
				`echo "password was p4ss@word" >&2\nexit 1\n`,
		);
		chmodSync(fake, 0o755);
		const failure = await drain(readFrames({ url }, { ffmpegPath: fake, frameTimeoutMs: 5000 })).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(failure?.message).toMatch(/^ffmpeg could not read the stream http:\/\/\*\*\*@127\.0\.0\.1:9\/cam: /);
		expect(failure?.message).toContain('Server returned 401 Unauthorized');
		expect(failure?.message).not.toMatch(/p4ss/);
	});
});

describe('video longer than the reader keeps up with', () => {
	it('decodes only a few frames ahead of a slow reader, then reads every frame', async () => {
		const file = join(mkdtempSync(join(tmpdir(), 'plate-long-')), 'long.mp4');
		// 1000 frames of 320x240: 230 MB if ffmpeg were let to decode them all ahead of the reader.
		execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=40', '-c:v', 'libx264', '-preset', 'ultrafast', file]);
		const frames = readFrames({ file }, { fps: 25 });
		const first = await frames.next();
		expect(first.done).toBe(false);
		const before = process.memoryUsage().arrayBuffers;
		await new Promise((r) => setTimeout(r, 3000));
		const grown = process.memoryUsage().arrayBuffers - before;
		// At most MAX_QUEUED_FRAMES frames of 230 kB plus pipe chunks are held.
		expect(grown).toBeLessThan(MAX_QUEUED_FRAMES * 320 * 240 * 3 + 16 * 1024 * 1024);
		let count = 1;
		for await (const frame of frames) {
			expect(frame.index).toBe(count);
			count++;
		}
		expect(count).toBe(1000);
	}, 60_000);
});
