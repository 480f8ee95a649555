// Video and stream frames via ffmpeg (argument array, no shell), and voting a plate seen in many frames down to one reading.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AgenticError, redactSecrets } from '../../shared/errors';
import type { PlateResult } from './alpr';
import { DEFAULT_FPS, DEFAULT_FRAME_TIMEOUT_SECONDS, DEFAULT_MAX_PIXELS } from './defaults';
import type { RgbImage } from './types';
import { editDistance } from './watchlist';
import { iou } from './yoloFormats';

export interface VideoFrame {
	image: RgbImage;
	index: number;
	/** Seconds from the start of the video or stream. */
	timestampSeconds: number;
}

export interface FrameOptions {
	/** Frames per second to sample (default DEFAULT_FPS). */
	fps?: number;
	/** Stop after this many seconds of video (streams need it). */
	durationSeconds?: number;
	/** Give up when no frame arrives for this long (default DEFAULT_FRAME_TIMEOUT_SECONDS). */
	frameTimeoutMs?: number;
	/** ffmpeg binary (default `FFMPEG_PATH` or `ffmpeg` on the PATH). */
	ffmpegPath?: string;
	/** Refuse videos whose frames are larger than this many pixels, before a frame is buffered (default DEFAULT_MAX_PIXELS). */
	maxPixels?: number;
}

const STREAM_SCHEMES = ['rtsp:', 'http:', 'https:'];

function badUrl(url: string): AgenticError {
	return new AgenticError('invalid_input', `"${redactUrl(url)}" is not a valid URL`, {
		field: 'Stream URL',
		description: 'Give an rtsp://, http:// or https:// URL of the camera stream or video.',
	});
}

/** Accepts only rtsp/http/https URLs: ffmpeg would otherwise open local files or exotic protocols. */
export function checkStreamUrl(url: string): URL {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw badUrl(url);
	}
	if (!STREAM_SCHEMES.includes(parsed.protocol)) {
		throw new AgenticError('invalid_input', `Stream URL scheme "${parsed.protocol}" is not allowed`, {
			field: 'Stream URL',
			description: 'Only rtsp://, http:// and https:// stream URLs are accepted.',
		});
	}
	return parsed;
}

function redactUrl(url: string): string {
	return url.replace(/\/\/[^/@\s]*@/g, '//***@');
}

/** Frames decoded ahead of the consumer; past this ffmpeg is paused, so a long video never piles up in memory. */
export const MAX_QUEUED_FRAMES = 8;
/** ffmpeg's messages kept for the error (its last lines); whole lines, so a cut never splits a URL's password. */
const STDERR_KEEP_CHARS = 16_000;

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** Splits ffmpeg's `-c:v ppm -f image2pipe` output (P6 header + RGB bytes per frame) into frames. */
class PpmSplitter {
	// Chunks are joined only once a whole frame is there: joining on every 64 KiB pipe chunk copies a big frame hundreds of times.
	private chunks: Buffer[] = [];
	private length = 0;
	private needed = 0;

	constructor(private readonly maxPixels: number) {}

	/** Throws when the bytes are not PPM frames (nothing else may grow the buffer without end). */
	push(chunk: Buffer): RgbImage[] {
		this.chunks.push(chunk);
		this.length += chunk.length;
		const frames: RgbImage[] = [];
		while (this.length > 0 && this.length >= this.needed) {
			const buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
			this.chunks = [buffer];
			const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buffer.subarray(0, 64).toString('latin1'));
			if (!header) {
				if (buffer.length >= 64) throw new Error('ffmpeg sent something that is not a PPM frame');
				this.needed = buffer.length + 1;
				break;
			}
			const width = Number(header[1]);
			const height = Number(header[2]);
			if (width * height > this.maxPixels) {
				throw new AgenticError(
					'invalid_input',
					`The video's frames are ${width}×${height} (${((width * height) / 1e6).toFixed(1)} megapixels), over the limit of ${(this.maxPixels / 1e6).toFixed(1)}`,
					{ field: 'Max Image Megapixels', description: 'Raise "Max Image Megapixels" if the video is genuine, or send a smaller video.' },
				);
			}
			const start = header[0].length;
			const end = start + width * height * 3;
			if (buffer.length < end) {
				this.needed = end;
				break;
			}
			frames.push({ data: new Uint8Array(buffer.subarray(start, end)), width, height });
			const rest = buffer.subarray(end);
			this.chunks = rest.length > 0 ? [rest] : [];
			this.length = rest.length;
			this.needed = 0;
		}
		return frames;
	}
}

/** What ffmpeg opens, and how it is named in errors (never with a stream's password). */
interface FfmpegInput {
	input: string;
	isUrl: boolean;
	/** "video" or "stream <url without credentials>". */
	what: string;
	/** Removes the stream's credentials from ffmpeg's messages, however ffmpeg prints the URL. */
	clean(text: string): string;
}

function ffmpegInput(source: { file: string } | { url: string }): FfmpegInput {
	if (!('url' in source)) return { input: source.file, isUrl: false, what: 'video', clean: redactUrl };
	const parsed = checkStreamUrl(source.url);
	const input = parsed.toString();
	// The password of rtsp://user:pass@camera must not reach an error.
	const secrets = parsed.password ? [parsed.password, safeDecode(parsed.password)] : [];
	return { input, isUrl: true, what: `stream ${redactUrl(input)}`, clean: (text) => redactSecrets(redactUrl(text), secrets) };
}

function ffmpegArgs(source: FfmpegInput, fps: number, timeoutMs: number, durationSeconds?: number): string[] {
	const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
	const rtsp = source.isUrl && source.input.startsWith('rtsp:');
	if (rtsp) args.push('-rtsp_transport', 'tcp', '-timeout', String(timeoutMs * 1000));
	if (source.isUrl && !rtsp) args.push('-rw_timeout', String(timeoutMs * 1000));
	// A playlist or container must not make ffmpeg open local files or other protocols behind the allowed URL.
	args.push('-protocol_whitelist', source.isUrl ? 'rtsp,rtp,srtp,udp,tcp,tls,http,https,httpproxy,crypto' : 'file');
	args.push('-i', source.input);
	if (durationSeconds) args.push('-t', String(durationSeconds));
	args.push('-vf', `fps=${fps}`, '-an', '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1');
	return args;
}

/** One ffmpeg process's frames as a queue; ffmpeg is paused while the consumer is behind, and its failure kept for the consumer. */
class FfmpegFrames {
	private readonly child: ChildProcessByStdio<null, Readable, Readable>;
	private readonly queue: RgbImage[] = [];
	private stderr = '';
	private failure: AgenticError | undefined;
	private ended = false;
	private wake: (() => void) | undefined;

	constructor(
		private readonly ffmpeg: string,
		args: string[],
		private readonly source: FfmpegInput,
		maxPixels: number,
	) {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- ffmpeg runs from an argument array without a shell; stream URLs are limited to rtsp/http/https
		this.child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		const splitter = new PpmSplitter(maxPixels);
		this.child.stdout.on('data', (chunk: Buffer) => this.onFrames(splitter, chunk));
		this.child.stderr.on('data', (chunk: Buffer) => this.onMessage(chunk));
		this.child.on('error', (error: NodeJS.ErrnoException) => this.finish(this.startFailure(error), true));
		this.child.on('close', (code) => this.finish(code !== 0 && code !== null && !this.failure ? this.readFailure(code) : undefined, false));
	}

	/** The next frame, or undefined once the video has ended; throws ffmpeg's failure, or when no frame came for `timeoutMs`. */
	async next(timeoutMs: number): Promise<RgbImage | undefined> {
		for (;;) {
			const image = this.queue.shift();
			if (image) {
				if (this.queue.length < MAX_QUEUED_FRAMES / 2 && this.child.stdout.isPaused()) this.child.stdout.resume();
				return image;
			}
			if (this.failure) throw this.failure;
			if (this.ended) return undefined;
			const timedOut = await this.arrival(timeoutMs);
			if (timedOut && this.queue.length === 0 && !this.ended) {
				throw new AgenticError('upstream', `No frame arrived from the ${this.source.what} within ${timeoutMs / 1000} s`, {
					field: this.source.isUrl ? 'Stream URL' : 'Binary Property',
					description: 'Check that the stream is reachable and sending video, or raise "Frame Timeout".',
				});
			}
		}
	}

	stop(): void {
		if (this.child.exitCode === null) this.child.kill('SIGKILL');
	}

	/** Resolves true after `timeoutMs`, or false as soon as ffmpeg sends something or ends. */
	private arrival(timeoutMs: number): Promise<boolean> {
		return new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => resolve(true), timeoutMs);
			this.wake = () => {
				clearTimeout(timer);
				resolve(false);
			};
		});
	}

	private notify(): void {
		this.wake?.();
		this.wake = undefined;
	}

	private onFrames(splitter: PpmSplitter, chunk: Buffer): void {
		try {
			this.queue.push(...splitter.push(chunk));
		} catch (error) {
			this.failure ??= error instanceof AgenticError ? error : new AgenticError('internal', `Could not read ffmpeg's frames: ${(error as Error).message}`);
			this.child.kill('SIGKILL');
		}
		if (this.queue.length >= MAX_QUEUED_FRAMES) this.child.stdout.pause();
		this.notify();
	}

	private onMessage(chunk: Buffer): void {
		this.stderr += chunk.toString();
		if (this.stderr.length > STDERR_KEEP_CHARS) {
			const tail = this.stderr.slice(-STDERR_KEEP_CHARS);
			this.stderr = tail.slice(tail.indexOf('\n') + 1);
		}
	}

	/** ffmpeg has ended (or never started); `replace` lets a start failure override one seen before. */
	private finish(failure: AgenticError | undefined, replace: boolean): void {
		if (failure && (replace || !this.failure)) this.failure = failure;
		this.ended = true;
		this.notify();
	}

	private startFailure(error: NodeJS.ErrnoException): AgenticError {
		return error.code === 'ENOENT'
			? new AgenticError('invalid_input', `ffmpeg was not found (tried "${this.ffmpeg}")`, {
					description: 'Install ffmpeg on the n8n host (e.g. apt-get install ffmpeg) or set FFMPEG_PATH to its binary.',
				})
			: new AgenticError('internal', `Could not start ffmpeg: ${error.message}`);
	}

	private readFailure(code: number): AgenticError {
		const { isUrl, what, clean } = this.source;
		return new AgenticError('invalid_input', `ffmpeg could not read the ${what}: ${clean(this.stderr.trim()).slice(-2000) || `exit code ${code}`}`, {
			field: isUrl ? 'Stream URL' : 'Binary Property',
			description: isUrl ? 'Check that the stream URL is reachable from the n8n host.' : 'Send an MP4 or MKV video ffmpeg can decode.',
		});
	}
}

/** Decodes frames from a video file or an rtsp/http(s) stream at `fps` frames per second. */
export async function* readFrames(source: { file: string } | { url: string }, options: FrameOptions = {}): AsyncGenerator<VideoFrame> {
	const fps = options.fps ?? DEFAULT_FPS;
	const timeoutMs = options.frameTimeoutMs ?? DEFAULT_FRAME_TIMEOUT_SECONDS * 1000;
	const input = ffmpegInput(source);
	const ffmpeg = options.ffmpegPath ?? process.env.FFMPEG_PATH ?? 'ffmpeg';
	const frames = new FfmpegFrames(ffmpeg, ffmpegArgs(input, fps, timeoutMs, options.durationSeconds), input, options.maxPixels ?? DEFAULT_MAX_PIXELS);
	try {
		for (let index = 0; ; index++) {
			const image = await frames.next(timeoutMs);
			if (!image) return;
			yield { image, index, timestampSeconds: Math.round((index / fps) * 1000) / 1000 };
		}
	} finally {
		frames.stop();
	}
}

export interface TrackedPlate {
	/** The reading that won the vote across frames, from its most confident frame. */
	best: PlateResult;
	timestampSeconds: number;
	firstSeenSeconds: number;
	lastSeenSeconds: number;
	frames: number;
	/** How many frames read exactly the winning text. */
	votes: number;
}

interface Track {
	readings: Array<{ plate: PlateResult; t: number }>;
	lastBox: PlateResult['box'];
	lastFrame: number;
}

/**
 * Groups plates across consecutive frames (overlapping boxes, or nearly the same text) and reports each once,
 * with the text most frames agree on (votes weighted by OCR confidence).
 */
export class PlateTracker {
	private readonly active: Track[] = [];
	private readonly done: Track[] = [];

	constructor(private readonly maxGapFrames = 2) {}

	add(frameIndex: number, timestampSeconds: number, plates: PlateResult[]): void {
		const used = new Set<Track>();
		for (const plate of plates) {
			const match = this.active.find(
				(t) =>
					!used.has(t) &&
					frameIndex - t.lastFrame <= this.maxGapFrames &&
					(iou(t.lastBox, plate.box) > 0.2 ||
						editDistance(t.readings[t.readings.length - 1].plate.plateText, plate.plateText) <= 1),
			);
			const track = match ?? { readings: [], lastBox: plate.box, lastFrame: frameIndex };
			if (!match) this.active.push(track);
			track.readings.push({ plate, t: timestampSeconds });
			track.lastBox = plate.box;
			track.lastFrame = frameIndex;
			used.add(track);
		}
		for (let i = this.active.length - 1; i >= 0; i--) {
			if (frameIndex - this.active[i].lastFrame > this.maxGapFrames) this.done.push(...this.active.splice(i, 1));
		}
	}

	finish(): TrackedPlate[] {
		const all = [...this.done, ...this.active.splice(0)];
		this.done.length = 0;
		return all
			.filter((t) => t.readings.some((r) => r.plate.plateText.length > 0))
			.map((t) => {
				const weight = new Map<string, number>();
				const count = new Map<string, number>();
				for (const { plate } of t.readings) {
					if (!plate.plateText) continue;
					weight.set(plate.plateText, (weight.get(plate.plateText) ?? 0) + plate.confidence);
					count.set(plate.plateText, (count.get(plate.plateText) ?? 0) + 1);
				}
				const text = [...weight.entries()].sort((a, b) => b[1] - a[1])[0][0];
				const winner = t.readings.filter((r) => r.plate.plateText === text).sort((a, b) => b.plate.confidence - a.plate.confidence)[0];
				return {
					best: winner.plate,
					timestampSeconds: winner.t,
					firstSeenSeconds: t.readings[0].t,
					lastSeenSeconds: t.readings[t.readings.length - 1].t,
					frames: t.readings.length,
					votes: count.get(text) ?? 0,
				};
			})
			.sort((a, b) => a.firstSeenSeconds - b.firstSeenSeconds);
	}
}
