// Image decoding (sharp, or pure-JS codecs where sharp cannot load), letterboxing for detectors, and the crops/warps OCR
// reads, with typed-array passes only.
import type SharpModule from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import { AgenticError } from '../../shared/errors';
import { DEFAULT_MAX_PIXELS } from './defaults';
import { sharpIfAvailable } from './engines';
import { decodeJs, readImageHeader, resizeRgb } from './jsImages';
import type { Box, Point, RgbImage } from './types';


export interface Letterboxed {
	/** RGB HWC bytes of the model input, `width`×`height`. */
	data: Uint8Array;
	width: number;
	height: number;
	/** original = (letterboxed - pad) / scale */
	scale: number;
	padX: number;
	padY: number;
}

/** An image the pipeline can letterbox and cut regions from, decoded lazily and only as much as needed. */
export interface ImageSource {
	readonly width: number;
	readonly height: number;
	/** `zoom` below 1 shrinks the image inside the model input, so plates that fill the frame become detectable. */
	letterbox(width: number, height: number, padValue: number, zoom?: number): Promise<Letterboxed>;
	/** Pixels of an integer region (clipped to the image). */
	region(box: Box): Promise<RgbImage>;
	/** The whole image as RGB. */
	full(): Promise<RgbImage>;
	/** Encoded bytes when the source came from a file (annotation reuses them). */
	readonly encoded?: Buffer;
}

const SUPPORTED = new Set(['jpeg', 'png', 'webp']);

function geometry(srcW: number, srcH: number, width: number, height: number, zoom: number) {
	const scale = Math.min(width / srcW, height / srcH) * zoom;
	const newW = Math.max(1, Math.min(width, Math.round(srcW * scale)));
	const newH = Math.max(1, Math.min(height, Math.round(srcH * scale)));
	const padX = Math.floor((width - newW) / 2);
	const padY = Math.floor((height - newH) / 2);
	return { scale, newW, newH, padX, padY };
}

/** Resizes into the model input and pads the rest with `padValue` grey. */
async function letterboxed(pipeline: Sharp, g: ReturnType<typeof geometry>, width: number, height: number, padValue: number): Promise<Letterboxed> {
	const img = await toRgb(
		pipeline.resize(g.newW, g.newH, { fit: 'fill' }).extend({
			top: g.padY,
			bottom: height - g.newH - g.padY,
			left: g.padX,
			right: width - g.newW - g.padX,
			background: { r: padValue, g: padValue, b: padValue },
		}),
	);
	return { data: img.data, width, height, scale: g.scale, padX: g.padX, padY: g.padY };
}

function clipBox(box: Box, width: number, height: number) {
	const left = Math.max(0, Math.min(width - 1, Math.floor(box.x1)));
	const top = Math.max(0, Math.min(height - 1, Math.floor(box.y1)));
	const right = Math.max(left + 1, Math.min(width, Math.ceil(box.x2)));
	const bottom = Math.max(top + 1, Math.min(height, Math.ceil(box.y2)));
	return { left, top, width: right - left, height: bottom - top };
}

async function toRgb(pipeline: Sharp): Promise<RgbImage> {
	const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
	if (info.channels === 3) return { data, width: info.width, height: info.height };
	// Single-channel images: spread grey to RGB.
	const out = new Uint8Array(info.width * info.height * 3);
	for (let i = 0, j = 0; i < info.width * info.height; i++, j += 3) {
		const v = data[i * info.channels];
		out[j] = v;
		out[j + 1] = v;
		out[j + 2] = v;
	}
	return { data: out, width: info.width, height: info.height };
}

function wrapDecodeError(error: unknown): AgenticError {
	if (error instanceof AgenticError) return error;
	const message = (error as Error).message ?? String(error);
	if (/pixel limit/i.test(message)) {
		return new AgenticError('invalid_input', `Image is larger than the pixel limit: ${message}`, {
			field: 'Max Image Megapixels',
			description: 'Raise "Max Image Megapixels" if the image is genuine, or send a smaller image.',
		});
	}
	return new AgenticError('invalid_input', `Could not decode the image: ${message}`, {
		description: 'Send a complete JPEG, PNG or WebP image (the file may be truncated or corrupted).',
		cause: error,
	});
}

class EncodedImageSource implements ImageSource {
	constructor(
		private readonly sharp: typeof SharpModule,
		readonly encoded: Buffer,
		readonly width: number,
		readonly height: number,
		private readonly maxPixels: number,
	) {}

	private open(): Sharp {
		return this.sharp(this.encoded, { limitInputPixels: this.maxPixels, failOn: 'truncated', autoOrient: true });
	}

	async letterbox(width: number, height: number, padValue: number, zoom = 1): Promise<Letterboxed> {
		const g = geometry(this.width, this.height, width, height, zoom);
		try {
			// Resizing straight from the encoded bytes lets libjpeg shrink while decoding (a 1080p JPEG decodes at 1/4).
			return await letterboxed(this.open(), g, width, height, padValue);
		} catch (error) {
			throw wrapDecodeError(error);
		}
	}

	async region(box: Box): Promise<RgbImage> {
		try {
			return await toRgb(this.open().extract(clipBox(box, this.width, this.height)));
		} catch (error) {
			throw wrapDecodeError(error);
		}
	}

	async full(): Promise<RgbImage> {
		try {
			return await toRgb(this.open());
		} catch (error) {
			throw wrapDecodeError(error);
		}
	}
}

/** Letterboxing in JS, where sharp cannot load. */
function letterboxedJs(image: RgbImage, g: ReturnType<typeof geometry>, width: number, height: number, padValue: number): Letterboxed {
	const resized = resizeRgb(image, g.newW, g.newH);
	const data = new Uint8Array(width * height * 3).fill(padValue);
	const rowBytes = g.newW * 3;
	for (let y = 0; y < g.newH; y++) {
		data.set(resized.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((g.padY + y) * width + g.padX) * 3);
	}
	return { data, width, height, scale: g.scale, padX: g.padX, padY: g.padY };
}

class RawImageSource implements ImageSource {
	readonly width: number;
	readonly height: number;
	constructor(
		private readonly image: RgbImage,
		readonly encoded?: Buffer,
	) {
		this.width = image.width;
		this.height = image.height;
	}

	async letterbox(width: number, height: number, padValue: number, zoom = 1): Promise<Letterboxed> {
		const g = geometry(this.width, this.height, width, height, zoom);
		const sharp = await sharpIfAvailable();
		if (!sharp) return letterboxedJs(this.image, g, width, height, padValue);
		return letterboxed(sharp(this.image.data, { raw: { width: this.width, height: this.height, channels: 3 } }), g, width, height, padValue);
	}

	async region(box: Box): Promise<RgbImage> {
		const c = clipBox(box, this.width, this.height);
		const out = new Uint8Array(c.width * c.height * 3);
		const rowBytes = c.width * 3;
		for (let y = 0; y < c.height; y++) {
			const from = ((c.top + y) * this.width + c.left) * 3;
			out.set(this.image.data.subarray(from, from + rowBytes), y * rowBytes);
		}
		return { data: out, width: c.width, height: c.height };
	}

	async full(): Promise<RgbImage> {
		return this.image;
	}
}

function notAnImage(error: unknown): AgenticError {
	return new AgenticError('invalid_input', `The data is not an image sharp can read: ${(error as Error).message}`, {
		description: 'Send a JPEG, PNG or WebP image in the binary property.',
		cause: error,
	});
}

/** Opens an encoded JPEG/PNG/WebP, refusing empty, non-image and over-limit input before any decoding. */
export async function openImage(bytes: Buffer, options: { maxPixels?: number } = {}): Promise<ImageSource> {
	const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
	if (!bytes || bytes.length === 0) {
		throw new AgenticError('invalid_input', 'The image is empty (0 bytes)', {
			description: 'Send a JPEG, PNG or WebP image in the binary property.',
		});
	}
	const sharp = await sharpIfAvailable();
	if (!sharp) return openWithoutSharp(bytes, maxPixels);
	let meta: Metadata;
	try {
		meta = await sharp(bytes, { limitInputPixels: false }).metadata();
	} catch (error) {
		throw notAnImage(error);
	}
	if (!meta.format || !SUPPORTED.has(meta.format)) {
		throw new AgenticError('invalid_input', `Unsupported image format "${meta.format ?? 'unknown'}"`, {
			description: 'Send a JPEG, PNG or WebP image.',
		});
	}
	const width = meta.autoOrient?.width ?? meta.width ?? 0;
	const height = meta.autoOrient?.height ?? meta.height ?? 0;
	checkPixelLimit(width, height, maxPixels);
	return new EncodedImageSource(sharp, bytes, width, height, maxPixels);
}

function checkPixelLimit(width: number, height: number, maxPixels: number): void {
	if (width * height <= maxPixels) return;
	throw new AgenticError(
		'invalid_input',
		`Image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} megapixels), over the limit of ${(maxPixels / 1e6).toFixed(1)}`,
		{
			field: 'Max Image Megapixels',
			description: 'Raise "Max Image Megapixels" if the image is genuine, or send a smaller image.',
		},
	);
}

/**
 * Opens a JPEG or PNG with the pure-JS codecs, where sharp cannot load: the header's size is checked against the pixel
 * limit before decoding. EXIF orientation is not applied on this path.
 */
export async function openWithoutSharp(bytes: Buffer, maxPixels = DEFAULT_MAX_PIXELS): Promise<ImageSource> {
	const header = readImageHeader(bytes);
	if (!header) {
		throw new AgenticError('invalid_input', 'The data is not a JPEG or PNG image', {
			description: 'Send a JPEG or PNG image in the binary property (sharp, which reads WebP too, could not load on this system).',
		});
	}
	if (header.format === 'webp') {
		throw new AgenticError('invalid_input', 'WebP images need sharp, which could not load on this system', {
			description: 'Send a JPEG or PNG image, or reinstall n8n-nodes-agentic so that sharp installs for this platform.',
		});
	}
	checkPixelLimit(header.width, header.height, maxPixels);
	try {
		return new RawImageSource(await decodeJs(bytes, header, maxPixels), bytes);
	} catch (error) {
		throw wrapDecodeError(error);
	}
}

export function rawImage(image: RgbImage): ImageSource {
	return new RawImageSource(image);
}

/** HWC RGB bytes → CHW float32 scaled to 0..1, the input most YOLO exports take. */
export function toChwFloat(data: Uint8Array, width: number, height: number): Float32Array {
	const plane = width * height;
	const out = new Float32Array(plane * 3);
	const k = 1 / 255;
	for (let i = 0, j = 0; i < plane; i++, j += 3) {
		out[i] = data[j] * k;
		out[plane + i] = data[j + 1] * k;
		out[2 * plane + i] = data[j + 2] * k;
	}
	return out;
}

/**
 * Samples the quadrilateral `quad` (TL, TR, BR, BL in `src` pixels) into an outW×outH RGB patch with
 * bilinear interpolation; an axis-aligned rectangle is the special case of a plain resize.
 */
export function warpQuad(src: RgbImage, quad: Point[], outW: number, outH: number, out?: Uint8Array, offset = 0): Uint8Array {
	const dst = out ?? new Uint8Array(outW * outH * 3);
	const h = homography(quad, outW, outH);
	const { data, width, height } = src;
	let o = offset;
	for (let v = 0; v < outH; v++) {
		const yv = v + 0.5;
		for (let u = 0; u < outW; u++) {
			const xu = u + 0.5;
			const w = h[6] * xu + h[7] * yv + 1;
			let x = (h[0] * xu + h[1] * yv + h[2]) / w - 0.5;
			let y = (h[3] * xu + h[4] * yv + h[5]) / w - 0.5;
			if (x < 0) x = 0;
			else if (x > width - 1) x = width - 1;
			if (y < 0) y = 0;
			else if (y > height - 1) y = height - 1;
			const x0 = x | 0;
			const y0 = y | 0;
			const x1 = x0 + 1 < width ? x0 + 1 : x0;
			const y1 = y0 + 1 < height ? y0 + 1 : y0;
			const fx = x - x0;
			const fy = y - y0;
			const a = (y0 * width + x0) * 3;
			const b = (y0 * width + x1) * 3;
			const c = (y1 * width + x0) * 3;
			const d = (y1 * width + x1) * 3;
			for (let ch = 0; ch < 3; ch++) {
				const top = data[a + ch] + (data[b + ch] - data[a + ch]) * fx;
				const bottom = data[c + ch] + (data[d + ch] - data[c + ch]) * fx;
				dst[o++] = top + (bottom - top) * fy + 0.5;
			}
		}
	}
	return dst;
}

/** Homography mapping output pixel (u,v) in [0,W]×[0,H] to the quad's corners (TL, TR, BR, BL). */
function homography(q: Point[], W: number, H: number): number[] {
	// Unit square → quad (Heckbert), then scale (u/W, v/H).
	const [p0, p1, p2, p3] = q;
	const dx1 = p1.x - p2.x;
	const dx2 = p3.x - p2.x;
	const dy1 = p1.y - p2.y;
	const dy2 = p3.y - p2.y;
	const sx = p0.x - p1.x + p2.x - p3.x;
	const sy = p0.y - p1.y + p2.y - p3.y;
	let g = 0;
	let hh = 0;
	if (Math.abs(sx) > 1e-9 || Math.abs(sy) > 1e-9) {
		const den = dx1 * dy2 - dx2 * dy1;
		g = (sx * dy2 - dx2 * sy) / den;
		hh = (dx1 * sy - sx * dy1) / den;
	}
	const a = p1.x - p0.x + g * p1.x;
	const b = p3.x - p0.x + hh * p3.x;
	const c = p0.x;
	const d = p1.y - p0.y + g * p1.y;
	const e = p3.y - p0.y + hh * p3.y;
	const f = p0.y;
	return [a / W, b / H, c, d / W, e / H, f, g / W, hh / H];
}

/** The four corners of an axis-aligned box, in warpQuad's order. */
export function boxQuad(box: Box): Point[] {
	return [
		{ x: box.x1, y: box.y1 },
		{ x: box.x2, y: box.y1 },
		{ x: box.x2, y: box.y2 },
		{ x: box.x1, y: box.y2 },
	];
}
