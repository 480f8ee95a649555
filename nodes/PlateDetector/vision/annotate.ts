// Drawn outputs: an annotated JPEG (boxes and text as an SVG overlay composited by sharp) and per-plate crops (sharp, or
// the pure-JS JPEG encoder where sharp cannot load).
import type { PlateResult } from './alpr';
import type { ImageSource } from './decode';
import { AgenticError } from '../../shared/errors';
import { sharpIfAvailable, sharpImages } from './engines';
import { encodeJpegJs } from './jsImages';

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The image with each plate's box (or corner polygon) and reading drawn on it, as JPEG. */
export async function annotateImage(image: ImageSource, plates: Array<Pick<PlateResult, 'box' | 'corners' | 'plateText'>>): Promise<Buffer> {
	const sharp = await sharpImages().catch((error: AgenticError) => {
		throw new AgenticError('invalid_input', `The annotated image needs sharp, which could not load on this system: ${error.message}`, {
			field: 'Include Annotated Image',
			description: 'Turn off "Include Annotated Image" (plate crops still work), or reinstall n8n-nodes-agentic so that sharp installs for this platform.',
			cause: error,
		});
	});
	const { width, height } = image;
	const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
	const font = Math.max(12, Math.round(Math.min(width, height) / 28));
	const shapes = plates
		.map((p) => {
			const { x1, y1, x2 } = p.box;
			const outline = p.corners
				? `<polygon points="${p.corners.map((c) => `${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ')}" fill="none" stroke="#00e676" stroke-width="${stroke}"/>`
				: `<rect x="${x1.toFixed(1)}" y="${y1.toFixed(1)}" width="${(x2 - x1).toFixed(1)}" height="${(p.box.y2 - y1).toFixed(1)}" fill="none" stroke="#00e676" stroke-width="${stroke}"/>`;
			const ty = y1 - stroke * 2 > font ? y1 - stroke * 2 : p.box.y2 + font + stroke;
			const label = `<rect x="${x1.toFixed(1)}" y="${(ty - font).toFixed(1)}" width="${(font * 0.65 * Math.max(1, p.plateText.length) + 8).toFixed(1)}" height="${(font * 1.2).toFixed(1)}" fill="#000" opacity="0.6"/><text x="${(x1 + 4).toFixed(1)}" y="${ty.toFixed(1)}" font-family="monospace" font-size="${font}" font-weight="bold" fill="#00e676">${escapeXml(p.plateText)}</text>`;
			return outline + label;
		})
		.join('');
	const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes}</svg>`);
	const base = image.encoded
		? sharp(image.encoded, { autoOrient: true })
		: await (async () => {
				const rgb = await image.full();
				return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
			})();
	return base.composite([{ input: svg, top: 0, left: 0 }]).jpeg({ quality: 85 }).toBuffer();
}

/** One plate's padded crop as JPEG (what a person would check the reading against). */
export async function plateCrop(image: ImageSource, plate: Pick<PlateResult, 'box'>, padding = 0.1): Promise<Buffer> {
	const { x1, y1, x2, y2 } = plate.box;
	const px = (x2 - x1) * padding;
	const py = (y2 - y1) * padding;
	const region = await image.region({ x1: x1 - px, y1: y1 - py, x2: x2 + px, y2: y2 + py });
	const sharp = await sharpIfAvailable();
	if (!sharp) return encodeJpegJs(region, 90);
	return sharp(region.data, { raw: { width: region.width, height: region.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}
