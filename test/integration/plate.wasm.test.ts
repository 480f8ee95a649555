// The WebAssembly runtime and the pure-JS decoders: the same plates as onnxruntime-node and sharp, and what happens
// on a host where those native engines cannot load (simulated in a child process whose module lookup refuses them).
import { runInThisContext } from 'node:vm';
// Jest gives each test file its own Float32Array, but onnxruntime-node builds outputs with Node's: use Node's here too.
(globalThis as { Float32Array: unknown }).Float32Array = runInThisContext('Float32Array');
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { Alpr, type AlprOptions } from '../../nodes/PlateDetector/vision/alpr';
import { openImage, openWithoutSharp } from '../../nodes/PlateDetector/vision/decode';
import { wasmThreads } from '../../nodes/PlateDetector/vision/engines';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, requireFixtures } from '../helpers/fixtures';

const V2 = 'models/cct_xs_v2_global.onnx';
const V2_CONFIG = 'models/cct_xs_v2_global_plate_config.yaml';
const fixtures = requireFixtures('the WebAssembly runtime tests', [PLATE_DETECTOR_MODEL, V2, V2_CONFIG, CAR_PHOTO, 'plates/eu']);
const root = resolve(__dirname, '../..');
const eu = fixtures.path('plates/eu');

const options = (provider: 'cpu'): AlprOptions => ({
	detector: { modelPath: fixtures.path(PLATE_DETECTOR_MODEL), provider },
	ocr: { modelPath: fixtures.path(V2), configPath: fixtures.path(V2_CONFIG), provider },
});

const euPhotos = () =>
	readdirSync(eu)
		.filter((f) => f.endsWith('.jpg'))
		.sort();

/** The best plate's text and region of every eu photo. */
async function readEu(alpr: Alpr, open: (bytes: Buffer) => ReturnType<typeof openImage> = (bytes) => openImage(bytes)): Promise<string[]> {
	const texts: string[] = [];
	for (const file of euPhotos()) {
		const { plates } = await alpr.predict(await open(readFileSync(join(eu, file))));
		const best = plates.sort((a, b) => b.detectionScore - a.detectionScore)[0];
		texts.push(`${file} ${best?.plateText} ${best?.region}`);
	}
	return texts;
}

/** A copy of a JPEG whose frame header claims 20000×20000 pixels. */
function bomb(jpeg: Buffer): Buffer {
	const out = Buffer.from(jpeg);
	for (let i = 2; i < out.length - 9; ) {
		if (out[i + 1] === 0xc0 || out[i + 1] === 0xc2) {
			out.writeUInt16BE(20000, i + 5);
			out.writeUInt16BE(20000, i + 7);
			break;
		}
		i += 2 + out.readUInt16BE(i + 2);
	}
	return out;
}

fixtures.describe('the WebAssembly runtime', () => {
	it('reads every eu photo the same as onnxruntime-node: texts and regions', async () => {
		const native = await readEu(await Alpr.create(options('cpu')));
		const wasm = await inNode(`${PIPELINE}
			const alpr = await make('wasm');
			const texts = [];
			for (const file of readdirSync(f('plates/eu')).filter((n) => n.endsWith('.jpg')).sort()) {
				const best = (await alpr.predict(readFileSync(f('plates/eu/' + file)))).plates.sort((a, b) => b.detectionScore - a.detectionScore)[0];
				texts.push(file + ' ' + best?.plateText + ' ' + best?.region);
			}
			console.log(JSON.stringify({ provider: alpr.provider, note: alpr.providerNote, texts }));
		`);
		expect(wasm).toMatchObject({ provider: 'wasm', note: 'the WebAssembly runtime was chosen as Execution Provider' });
		expect(native).toHaveLength(108);
		expect(wasm.texts).toEqual(native);
	}, 300_000);

	it('uses half the cores for WebAssembly threads, at least 1 and at most 4', () => {
		expect([1, 2, 3, 8, 64].map((cores) => wasmThreads(cores))).toEqual([1, 1, 1, 4, 4]);
	});
});

fixtures.describe('the pure-JS decoders', () => {
	it('decode JPEG and PNG to the pixels sharp gives (within rounding)', async () => {
		for (const file of [join(eu, 'eu1.jpg'), fixtures.path(CAR_PHOTO)]) {
			const bytes = readFileSync(file);
			const js = await (await openWithoutSharp(bytes)).full();
			const reference = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
			expect([js.width, js.height]).toEqual([reference.info.width, reference.info.height]);
			let diff = 0;
			for (let i = 0; i < js.data.length; i++) diff += Math.abs(js.data[i] - reference.data[i]);
			expect(diff / js.data.length).toBeLessThan(2);
		}
	});

	it('read the eu photos as sharp\'s decoding does but for at most two', async () => {
		const alpr = await Alpr.create(options('cpu'));
		const withSharp = await readEu(alpr);
		const withJs = await readEu(alpr, (bytes) => openWithoutSharp(bytes));
		expect(withJs.filter((t, i) => t !== withSharp[i]).length).toBeLessThanOrEqual(2);
	}, 120_000);

	it('refuse a decompression bomb from its header, and truncated, unknown and WebP data, with clear errors', async () => {
		const jpeg = readFileSync(join(eu, 'eu3.jpg'));
		await expect(openWithoutSharp(bomb(jpeg))).rejects.toThrow('Image is 20000×20000 (400.0 megapixels), over the limit of 100.0');
		await expect(openWithoutSharp(jpeg, 100_000)).rejects.toThrow(/over the limit of 0\.1/);
		await expect(openWithoutSharp(jpeg.subarray(0, jpeg.length / 2))).rejects.toThrow(/^Could not decode the image: /);
		await expect(openWithoutSharp(Buffer.from('hello'))).rejects.toThrow('The data is not a JPEG or PNG image');
		const webp = await sharp(jpeg).webp().toBuffer();
		await expect(openWithoutSharp(webp)).rejects.toThrow('WebP images need sharp, which could not load on this system');
	});
});

/** Module lookups, CommonJS and ESM alike, that fail for onnxruntime-node and sharp as on a host without their builds. */
const REFUSE_NATIVE = `
	const refused = (request) => request === 'onnxruntime-node' || request === 'sharp' || request.startsWith('sharp/');
	const Module = require('node:module');
	const resolve = Module._resolveFilename;
	Module._resolveFilename = function (request, ...rest) {
		if (refused(request)) throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
		return resolve.call(this, request, ...rest);
	};
	Module.register('data:text/javascript,' + encodeURIComponent(
		'export async function resolve(s, c, next) { if (s === "onnxruntime-node" || s === "sharp" || s.startsWith("sharp/")) { throw Object.assign(new Error("Cannot find module \\'" + s + "\\'"), { code: "ERR_MODULE_NOT_FOUND" }); } return next(s, c); }'));
`;

/**
 * Runs `script` (TypeScript through tsx) in a fresh Node process and returns the JSON it prints last. onnxruntime-web
 * runs there rather than in Jest, whose module sandbox refuses the dynamic import that loads its WebAssembly.
 */
async function inNode(script: string, refuseNative = false): Promise<Record<string, unknown>> {
	const code = `${refuseNative ? REFUSE_NATIVE : ''} (async () => { ${script} })().then(() => process.exit(0), (e) => { console.log(JSON.stringify({ crashed: String(e.stack) })); process.exit(1); })`;
	const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', code], {
		cwd: root,
		encoding: 'utf8',
		env: { ...process.env, FIXTURES: fixtures.path('.') },
		maxBuffer: 16 * 2 ** 20,
	});
	return JSON.parse(stdout.trim().split('\n').pop() as string);
}

const PIPELINE = `
	const { readFileSync, readdirSync } = require('node:fs');
	const { Alpr } = require('./nodes/PlateDetector/vision/alpr.ts');
	const f = (p) => process.env.FIXTURES + '/' + p;
	const make = (provider) => Alpr.create({ detector: { modelPath: f('${PLATE_DETECTOR_MODEL}'), provider }, ocr: { modelPath: f('${V2}'), configPath: f('${V2_CONFIG}'), provider } });
`;

fixtures.describe('where onnxruntime-node and sharp cannot load', () => {
	it('reads plates on WebAssembly from JS-decoded photos and says why; crops still come; the annotated image names its option', async () => {
		const out = await inNode(`${PIPELINE}
			const { annotateImage, plateCrop } = require('./nodes/PlateDetector/vision/annotate.ts');
			const { openImage } = require('./nodes/PlateDetector/vision/decode.ts');
			const alpr = await make('auto');
			const car = await alpr.predict(readFileSync(f('${CAR_PHOTO}')));
			const uk = await alpr.predict(readFileSync(f('plates/eu/eu5.jpg')));
			const cuda = await make('cuda');
			const image = await openImage(readFileSync(f('plates/eu/eu5.jpg')));
			const crop = await plateCrop(image, uk.plates[0]);
			const annotated = await annotateImage(image, uk.plates).then(() => 'drawn', (e) => e.message + ' | ' + e.field);
			console.log(JSON.stringify({ provider: car.provider, note: car.providerNote, car: car.plates.map((p) => p.plateText), uk: uk.plates.map((p) => p.plateText + ' ' + p.region),
				cudaNote: cuda.providerNote, crop: crop.subarray(0, 3).toString('hex'), annotated }));
		`, true);
		expect(out).toMatchObject({ provider: 'wasm', car: ['5AU5341'], uk: ['OY09FEU United Kingdom'], crop: 'ffd8ff' });
		expect(out.note).toMatch(/^onnxruntime-node could not load on this system \(Cannot find module 'onnxruntime-node'\): using the WebAssembly runtime$/);
		expect(out.cudaNote).toMatch(/^cuda unavailable \(it needs onnxruntime-node\); onnxruntime-node could not load on this system/);
		expect(out.annotated).toMatch(/^The annotated image needs sharp, which could not load on this system: .* \| Include Annotated Image$/);
	}, 120_000);
});
