// Images without sharp: header sizes, pure-JS JPEG/PNG decoding (jpeg-js, pngjs), resizing and JPEG encoding.
import type { RgbImage } from './types';

export interface ImageHeader {
	format: 'jpeg' | 'png' | 'webp';
	width: number;
	height: number;
}

/** JPEG start-of-frame markers (baseline, progressive, lossless, …), which carry the frame's size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
	let i = 2;
	while (i + 9 < bytes.length) {
		if (bytes[i] !== 0xff) return undefined;
		const marker = bytes[i + 1];
		if (marker === 0xff) {
			i++;
			continue;
		}
		if (SOF.has(marker)) return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
		i += 2 + bytes.readUInt16BE(i + 2);
	}
	return undefined;
}

function webpSize(bytes: Buffer): { width: number; height: number } | undefined {
	const chunk = bytes.toString('latin1', 12, 16);
	if (chunk === 'VP8X' && bytes.length >= 30) return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
	if (chunk === 'VP8 ' && bytes.length >= 30) return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
	if (chunk === 'VP8L' && bytes.length >= 25) {
		const b = bytes.readUInt32LE(21);
		return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
	}
	return undefined;
}

/** The format and size an image's header declares, read before anything is decoded (decompression bombs). */
export function readImageHeader(bytes: Buffer): ImageHeader | undefined {
	if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
		return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	}
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
		const size = jpegSize(bytes);
		return size && { format: 'jpeg', ...size };
	}
	if (bytes.length >= 16 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		const size = webpSize(bytes);
		return size && { format: 'webp', ...size };
	}
	return undefined;
}

/** RGBA (or grey/grey+alpha) pixels as RGB; alpha is dropped, as sharp's removeAlpha does. */
function toRgb(data: Uint8Array, width: number, height: number, channels: number): RgbImage {
	if (channels === 3) return { data, width, height };
	const out = new Uint8Array(width * height * 3);
	for (let i = 0, j = 0; j < out.length; i += channels, j += 3) {
		if (channels >= 3) {
			out[j] = data[i];
			out[j + 1] = data[i + 1];
			out[j + 2] = data[i + 2];
		} else out[j] = out[j + 1] = out[j + 2] = data[i];
	}
	return { data: out, width, height };
}

/** Decodes a JPEG or PNG whose header was checked against the pixel limit; a truncated or corrupt file throws. */
export async function decodeJs(bytes: Buffer, header: ImageHeader, maxPixels: number): Promise<RgbImage> {
	if (header.format === 'jpeg') {
		const jpeg = await import('jpeg-js');
		const image = jpeg.decode(bytes, {
			useTArray: true,
			formatAsRGBA: false,
			tolerantDecoding: false,
			maxResolutionInMP: Math.ceil(maxPixels / 1e6),
			maxMemoryUsageInMB: Math.ceil((maxPixels * 4) / 2 ** 20) + 64,
		});
		return { data: image.data, width: image.width, height: image.height };
	}
	if (header.format === 'png') {
		const { PNG } = await import('pngjs');
		const png = PNG.sync.read(bytes);
		return toRgb(png.data, png.width, png.height, 4);
	}
	throw new Error(`${header.format} images need sharp`);
}

/**
 * Resizes RGB pixels: each output pixel averages the source pixels it covers (a box filter, so a large photo shrunk to
 * the detector's size keeps thin plate strokes); when enlarging, the one-pixel area at its position.
 */
export function resizeRgb(src: RgbImage, width: number, height: number): RgbImage {
	const out = new Uint8Array(width * height * 3);
	const sx = src.width / width;
	const sy = src.height / height;
	for (let y = 0; y < height; y++) {
		const y0 = y * sy;
		const y1 = Math.max(y0 + 1, (y + 1) * sy);
		for (let x = 0; x < width; x++) {
			const x0 = x * sx;
			const x1 = Math.max(x0 + 1, (x + 1) * sx);
			boxAverage(src, x0, y0, x1, y1, out, (y * width + x) * 3);
		}
	}
	return { data: out, width, height };
}

/** The mean colour of the source rectangle [x0,x1)×[y0,y1), partial pixels weighted by their covered share. */
function boxAverage(src: RgbImage, x0: number, y0: number, x1: number, y1: number, out: Uint8Array, at: number): void {
	let r = 0;
	let g = 0;
	let b = 0;
	let total = 0;
	const maxX = src.width - 1;
	const maxY = src.height - 1;
	for (let yy = Math.floor(y0); yy < y1; yy++) {
		const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
		const row = Math.min(yy, maxY) * src.width;
		for (let xx = Math.floor(x0); xx < x1; xx++) {
			const w = wy * (Math.min(xx + 1, x1) - Math.max(xx, x0));
			const i = (row + Math.min(xx, maxX)) * 3;
			r += src.data[i] * w;
			g += src.data[i + 1] * w;
			b += src.data[i + 2] * w;
			total += w;
		}
	}
	out[at] = r / total + 0.5;
	out[at + 1] = g / total + 0.5;
	out[at + 2] = b / total + 0.5;
}

/** RGB pixels as a JPEG (plate crops where sharp is missing). */
export async function encodeJpegJs(image: RgbImage, quality = 90): Promise<Buffer> {
	const jpeg = await import('jpeg-js');
	const rgba = new Uint8Array(image.width * image.height * 4);
	for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
		rgba[j] = image.data[i];
		rgba[j + 1] = image.data[i + 1];
		rgba[j + 2] = image.data[i + 2];
		rgba[j + 3] = 255;
	}
	return jpeg.encode({ data: rgba, width: image.width, height: image.height }, quality).data;
}
