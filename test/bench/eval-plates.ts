// `npm run eval:plates -- <dir>`: plate reading accuracy over a labelled folder (format: ../shared/fixtures/plates/README.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Alpr } from '../../nodes/PlateDetector/vision/alpr';
import { READERS, type ReaderVersion } from '../../nodes/PlateDetector/vision/models';
import type { ProviderPreference } from '../../nodes/PlateDetector/vision/sessions';
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
	if (!dir) {
		throw new Error(
			'Usage: npm run eval:plates -- <dir> [--reader v2|v1] [--detector model.onnx] [--ocr model.onnx --ocr-config config.yaml] [--provider cpu|wasm] [--threshold 0.4] [--no-reread] [--verbose]',
		);
	}
	const models = resolve(process.env.PLATE_MODELS_DIR ?? join(__dirname, '../../../shared/fixtures/models'));
	const reader = (arg(args, 'reader') ?? 'v2') as ReaderVersion;
	if (!READERS[reader]) throw new Error(`--reader is v2 or v1, not ${reader}`);
	const ownOcr = arg(args, 'ocr');
	const ocr = ownOcr
		? { modelPath: ownOcr, configPath: arg(args, 'ocr-config') }
		: { modelPath: join(models, READERS[reader].model.file), configPath: READERS[reader].config && join(models, READERS[reader].config.file) };
	const provider = (arg(args, 'provider') as ProviderPreference | undefined) ?? 'cpu';
	const alpr = await Alpr.create({
		detector: {
			modelPath: arg(args, 'detector') ?? join(models, 'y5fu_320x_sim.onnx'),
			format: (arg(args, 'format') as YoloFormat | undefined) ?? 'auto',
			confidenceThreshold: arg(args, 'threshold') ? Number(arg(args, 'threshold')) : undefined,
			padValue: arg(args, 'pad-value') ? Number(arg(args, 'pad-value')) : undefined,
			provider,
		},
		ocr: { ...ocr, provider },
		rereadCrops: !args.includes('--no-reread'),
		cropPadding: arg(args, 'crop-padding') ? Number(arg(args, 'crop-padding')) : undefined,
	});
	const labels = readLabels(resolve(dir));
	const verbose = args.includes('--verbose');
	let detected = 0;
	let exact = 0;
	let exactO0 = 0;
	const times: number[] = [];
	// By the region the reader gives the image's best plate (the labels name no country).
	const regions = new Map<string, { images: number; exact: number; exactIgnoringO0: number }>();
	for (const label of labels) {
		const bytes = readFileSync(join(resolve(dir), label.file));
		const t0 = performance.now();
		const prediction = await alpr.predict(bytes);
		times.push(performance.now() - t0);
		const best = [...prediction.plates].sort((a, b) => b.detectionScore - a.detectionScore)[0];
		const text = best ? normalize(best.plateText) : '';
		if (best) detected++;
		if (text === label.text) exact++;
		const sameIgnoringO0 = text.replace(/O/g, '0') === label.text.replace(/O/g, '0');
		if (sameIgnoringO0) exactO0++;
		const region = best ? (best.region ?? 'none given') : 'no plate';
		const tally = regions.get(region) ?? { images: 0, exact: 0, exactIgnoringO0: 0 };
		tally.images++;
		if (text === label.text) tally.exact++;
		if (sameIgnoringO0) tally.exactIgnoringO0++;
		regions.set(region, tally);
		if (verbose) {
			const seen = { region: best?.region, regionConfidence: best?.regionConfidence, detectionScore: best?.detectionScore };
			console.log(JSON.stringify({ file: label.file, label: label.text, read: text, confidence: best?.confidence, ...seen, plates: prediction.plates.length }));
		}
	}
	const round4 = (v: number) => Math.round(v * 10000) / 10000;
	for (const [region, t] of [...regions.entries()].sort((a, b) => b[1].images - a[1].images)) {
		console.log(JSON.stringify({ region, images: t.images, exact: round4(t.exact / t.images), exactIgnoringO0: round4(t.exactIgnoringO0 / t.images) }));
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
			reader: ownOcr ?? READERS[reader].model.file,
			provider: alpr.provider,
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
