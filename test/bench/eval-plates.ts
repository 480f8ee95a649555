// `npm run eval:plates -- <dir>`: plate reading accuracy over a labelled folder (format: ../shared/fixtures/plates/README.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Alpr } from '../../nodes/PlateDetector/vision/alpr';
import type { YoloFormat } from '../../nodes/PlateDetector/vision/yoloFormats';

interface Label {
	file: string;
	box: { x1: number; y1: number; x2: number; y2: number };
	text: string;
}

const normalize = (t: string) => t.toUpperCase().replace(/[^A-Z0-9]/g, '');

function readLabels(dir: string): Label[] {
	return readdirSync(dir)
		.filter((f) => f.endsWith('.txt'))
		.sort()
		.map((f) => {
			const [file, x, y, w, h, ...text] = readFileSync(join(dir, f), 'utf8').trim().split('\t');
			const [X, Y, W, H] = [x, y, w, h].map(Number);
			return { file, box: { x1: X, y1: Y, x2: X + W, y2: Y + H }, text: normalize(text.join(' ')) };
		})
		.filter((l) => existsSync(join(dir, l.file)));
}

function arg(args: string[], name: string): string | undefined {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: string[]) {
	const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
	if (!dir) throw new Error('Usage: npm run eval:plates -- <dir> [--detector model.onnx] [--ocr model.onnx] [--threshold 0.4] [--no-reread] [--verbose]');
	const models = resolve(process.env.PLATE_MODELS_DIR ?? join(__dirname, '../../../shared/fixtures/models'));
	const alpr = await Alpr.create({
		detector: {
			modelPath: arg(args, 'detector') ?? join(models, 'y5fu_320x_sim.onnx'),
			format: (arg(args, 'format') as YoloFormat | undefined) ?? 'auto',
			confidenceThreshold: arg(args, 'threshold') ? Number(arg(args, 'threshold')) : undefined,
			padValue: arg(args, 'pad-value') ? Number(arg(args, 'pad-value')) : undefined,
			provider: (arg(args, 'provider') as 'cpu' | undefined) ?? 'cpu',
		},
		ocr: { modelPath: arg(args, 'ocr') ?? join(models, 'cct_xs_v1_global.onnx'), provider: (arg(args, 'provider') as 'cpu' | undefined) ?? 'cpu' },
		rereadCrops: !args.includes('--no-reread'),
		cropPadding: arg(args, 'crop-padding') ? Number(arg(args, 'crop-padding')) : undefined,
	});
	const labels = readLabels(resolve(dir));
	const verbose = args.includes('--verbose');
	let detected = 0;
	let exact = 0;
	let exactO0 = 0;
	const times: number[] = [];
	for (const label of labels) {
		const bytes = readFileSync(join(resolve(dir), label.file));
		const t0 = performance.now();
		const prediction = await alpr.predict(bytes);
		times.push(performance.now() - t0);
		const best = [...prediction.plates].sort((a, b) => b.detectionScore - a.detectionScore)[0];
		const text = best ? normalize(best.plateText) : '';
		if (best) detected++;
		if (text === label.text) exact++;
		if (text.replace(/O/g, '0') === label.text.replace(/O/g, '0')) exactO0++;
		if (verbose) {
			console.log(JSON.stringify({ file: label.file, label: label.text, read: text, confidence: best?.confidence, detectionScore: best?.detectionScore, plates: prediction.plates.length }));
		}
	}
	times.sort((a, b) => a - b);
	const n = labels.length;
	const round = (v: number) => Math.round(v * 10000) / 10000;
	console.log(
		JSON.stringify({
			images: n,
			detected,
			exact: round(n ? exact / n : 0),
			exactIgnoringO0: round(n ? exactO0 / n : 0),
			msP50: round(times[Math.floor(times.length / 2)] ?? 0),
		}),
	);
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
