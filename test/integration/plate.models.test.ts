// The plate pipeline on the real shared models and photos: readings, corners, bad input, session reuse, provider fallback.
import { runInThisContext } from 'node:vm';
// Jest gives each test file its own Float32Array, but onnxruntime-node builds outputs with Node's: use Node's here too.
(globalThis as { Float32Array: unknown }).Float32Array = runInThisContext('Float32Array');
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Alpr, type AlprOptions } from '../../nodes/PlateDetector/vision/alpr';
import { annotateImage, plateCrop } from '../../nodes/PlateDetector/vision/annotate';
import { openImage } from '../../nodes/PlateDetector/vision/decode';
import { PlateOcrModel } from '../../nodes/PlateDetector/vision/ocr';
import * as sessions from '../../nodes/PlateDetector/vision/sessions';
import { PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';

const modelFixtures = requireFixtures('the real-model plate tests', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, 'plates/eu', 'plates/misc']);
const fixtures = modelFixtures.path('.');
const describeWithModels = modelFixtures.describe;

const models = join(fixtures, 'models');
const photo = (rel: string) => readFileSync(join(fixtures, 'plates', rel));
const options: AlprOptions = {
	detector: { modelPath: join(models, 'y5fu_320x_sim.onnx'), provider: 'cpu' },
	ocr: { modelPath: join(models, 'cct_xs_v1_global.onnx'), provider: 'cpu' },
};

describeWithModels('plate pipeline on real models', () => {
	let alpr: Alpr;
	beforeAll(async () => {
		alpr = await Alpr.create(options);
	});

	it('reads 5AU5341 from the fast-alpr test photo, with its box and 4 corners', async () => {
		const result = await alpr.predict(photo('misc/fast-alpr_test_image.png'));
		expect(result.provider).toBe('cpu');
		expect(result.plates).toHaveLength(1);
		const [plate] = result.plates;
		expect(plate.plateText).toBe('5AU5341');
		expect(plate.confidence).toBeGreaterThan(0.9);
		expect(plate.charConfidences).toHaveLength(7);
		expect(plate.box.x1).toBeGreaterThan(290);
		expect(plate.box.x2).toBeLessThan(410);
		expect(plate.corners).toHaveLength(4);
		expect(plate.corners?.[0].x).toBeLessThan(plate.corners?.[1].x as number);
	});

	it('reads labelled European photos as labelled', async () => {
		for (const name of ['eu1', 'eu5', 'eu10']) {
			const [file, , , , , text] = readFileSync(join(fixtures, 'plates/eu', `${name}.txt`), 'utf8').trim().split('\t');
			const result = await alpr.predict(photo(`eu/${file}`));
			const best = [...result.plates].sort((a, b) => b.detectionScore - a.detectionScore)[0];
			// eu5's label writes the digit 0 of "OY09FEU" as the letter O; compare with O and 0 unified.
			expect(best.plateText.replace(/O/g, '0')).toBe(text.replace(/O/g, '0'));
		}
	});

	it('reads with the v2 reader and its config: the same labelled photos, each with its country', async () => {
		const v2 = await Alpr.create({ ...options, ocr: { modelPath: join(models, 'cct_xs_v2_global.onnx'), configPath: join(models, 'cct_xs_v2_global_plate_config.yaml'), provider: 'cpu' } });
		expect(v2.reader).toMatchObject({ inputWidth: 128, inputHeight: 64, padChar: '_' });
		expect(v2.reader.regions).toHaveLength(66);
		const read = async (file: string) => (await v2.predict(photo(file))).plates.sort((a, b) => b.detectionScore - a.detectionScore)[0];
		expect(await read('eu/eu5.jpg')).toMatchObject({ plateText: 'OY09FEU', region: 'United Kingdom' });
		expect(await read('eu/test_013.jpg')).toMatchObject({ plateText: 'RK857AI', region: 'Slovakia' });
		expect(await read('misc/fast-alpr_test_image.png')).toMatchObject({ plateText: '5AU5341', region: 'Czech Republic' });
		expect((await read('eu/eu5.jpg')).regionConfidence).toBeGreaterThan(0.9);
	});

	it('refuses a reader whose config does not fit the model', async () => {
		const config = join(mkdtempSync(join(tmpdir(), 'plate-config-')), 'wrong.yaml');
		writeFileSync(config, readFileSync(join(models, 'cct_xs_v2_global_plate_config.yaml'), 'utf8').replace('img_width: 128', 'img_width: 140'));
		await expect(PlateOcrModel.load({ modelPath: join(models, 'cct_xs_v2_global.onnx'), configPath: config, provider: 'cpu' })).rejects.toThrow(
			/cct_xs_v2_global\.onnx takes 128×64 crops but its config says 140×64/,
		);
		const fewer = config.replace('wrong', 'alphabet');
		writeFileSync(fewer, readFileSync(join(models, 'cct_xs_v2_global_plate_config.yaml'), 'utf8').replace("'0123456789", "'123456789"));
		await expect(PlateOcrModel.load({ modelPath: join(models, 'cct_xs_v2_global.onnx'), configPath: fewer, provider: 'cpu' })).rejects.toThrow(
			/has input .* and output \[,10,37\] \(36 characters expected\)/,
		);
	});

	it('finds the plate on the open-image-models WebP photo where the upstream test expects it', async () => {
		const result = await alpr.predict(photo('misc/open-image-models_car_image.webp'));
		expect(result.plates.length).toBeGreaterThanOrEqual(1);
		const { box } = result.plates[0];
		expect(box.x1).toBeLessThan(40);
		expect(box.x2).toBeGreaterThan(150);
		expect(box.y1).toBeGreaterThan(290);
		expect(box.y2).toBeLessThan(420);
	});

	it('reads a plate that fills the frame (second look at half size)', async () => {
		const result = await alpr.predict(photo('eu/eu4.jpg'));
		expect(result.plates.map((p) => p.plateText)).toContain('BIMMIAN');
	});

	it('finds a plate too small for the full-frame pass by looking at quarters of a large frame', async () => {
		// The car photo pasted into a 2000×1500 frame: its plate is ~80 px wide, 13 px at the detector's 320 px scale.
		const frame = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#7a7a7a' } })
			.composite([{ input: photo('misc/fast-alpr_test_image.png'), left: 1100, top: 750 }])
			.jpeg()
			.toBuffer();
		const result = await alpr.predict(frame);
		expect(result.plates.map((p) => p.plateText)).toEqual(['5AU5341']);
		expect(result.plates[0].box.x1).toBeGreaterThan(1100 + 290);
		expect(result.plates[0].box.y2).toBeLessThan(750 + 230);
	});

	it('keeps a weakly detected plate that the reader reads with high confidence', async () => {
		// test_013's plate scores ~0.15 with the y5fu_320 detector, under the 0.3 threshold.
		const result = await alpr.predict(photo('eu/test_013.jpg'));
		expect(result.plates.map((p) => p.plateText)).toEqual(['RK857AI']);
		expect(result.plates[0].detectionScore).toBeLessThan(0.3);
	});

	it('re-reads an unsure plate from extra crops (corner-rectified, looser, tighter) and keeps the surer reading', async () => {
		// test_004 (RK115AN) sheared and turned 8°, as a camera beside the road sees it.
		const skewed = await sharp(photo('eu/test_004.jpg'))
			.affine([[1, 0], [0.25, 1]], { background: '#808080' })
			.rotate(8, { background: '#808080' })
			.jpeg({ quality: 92 })
			.toBuffer();
		const once = await (await Alpr.create({ ...options, rereadCrops: false })).predict(skewed);
		expect(once.plates[0].plateText).not.toBe('RK115AN');
		const reread = await alpr.predict(skewed);
		expect(reread.plates[0].plateText).toBe('RK115AN');
		expect(reread.plates[0].confidence).toBeGreaterThan(once.plates[0].confidence);
	});

	it('reads a phone photo stored sideways with an EXIF orientation, in its upright coordinates', async () => {
		// Pixels turned 90° clockwise, with orientation 8 telling viewers to turn them back.
		const sideways = await sharp(photo('misc/fast-alpr_test_image.png')).rotate(90).jpeg({ quality: 95 }).withMetadata({ orientation: 8 }).toBuffer();
		expect(await sharp(sideways).metadata()).toMatchObject({ width: 331, height: 518, orientation: 8 });
		const result = await alpr.predict(sideways);
		expect([result.width, result.height]).toEqual([518, 331]);
		expect(result.plates.map((p) => p.plateText)).toEqual(['5AU5341']);
		expect(result.plates[0].box.x1).toBeGreaterThan(290);
	});

	it('returns no plates, not an error, for a photo without any', async () => {
		const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).jpeg().toBuffer();
		expect((await alpr.predict(blank)).plates).toEqual([]);
	});

	it('draws an annotated JPEG of the same size and crops each plate', async () => {
		const bytes = photo('misc/fast-alpr_test_image.png');
		const image = await openImage(bytes);
		const result = await alpr.predict(image);
		const annotated = await sharp(await annotateImage(image, result.plates)).metadata();
		expect(annotated).toMatchObject({ format: 'jpeg', width: 518, height: 331 });
		const crop = await sharp(await plateCrop(image, result.plates[0])).metadata();
		expect(crop.format).toBe('jpeg');
		expect(crop.width).toBeGreaterThan(85);
		expect(crop.width).toBeLessThan(110);
	});

	it('loads nothing on a second pipeline over the same files', async () => {
		const before = sessions.sessionsCreated;
		const second = await Alpr.create(options);
		expect(sessions.sessionsCreated).toBe(before);
		expect((await second.predict(photo('misc/fast-alpr_test_image.png'))).plates[0].plateText).toBe('5AU5341');
	});

	it('falls back to CPU when CUDA is asked for but cannot start, and says which provider ran', async () => {
		const gpu = await Alpr.create({ ...options, detector: { ...options.detector, provider: 'cuda' }, ocr: { ...options.ocr, provider: 'cuda' } });
		const result = await gpu.predict(photo('misc/fast-alpr_test_image.png'));
		expect(['cuda', 'cpu']).toContain(result.provider);
		if (result.provider === 'cpu') {
			expect(result.providerNote).toMatch(/^cuda unavailable: onnxruntime-node has no libonnxruntime_providers_cuda\.so \(n8n installs packages without their install scripts/);
			expect(result.providerNote).toMatch(
				/to enable it, run "ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install\.js" in \/.*\/node_modules\/onnxruntime-node, then restart n8n \(needs CUDA 12\.x and cuDNN 9\.x/,
			);
		}
		expect(result.plates[0].plateText).toBe('5AU5341');
	});

	describe('bad input gets a clear error', () => {
		it('refuses data that is not an image', async () => {
			await expect(alpr.predict(Buffer.from('hello, not a picture'))).rejects.toThrow(/not an image/);
		});

		it('refuses an empty binary', async () => {
			await expect(alpr.predict(Buffer.alloc(0))).rejects.toThrow('The image is empty (0 bytes)');
		});

		it('refuses a truncated JPEG', async () => {
			const jpeg = photo('eu/eu1.jpg');
			await expect(alpr.predict(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).rejects.toThrow(/Could not decode the image/);
		});

		it('refuses a 20000×20000 decompression bomb before decoding it', async () => {
			const jpeg = Buffer.from(photo('eu/eu3.jpg'));
			// Rewrite the frame header's height and width (SOF0/SOF2) to 20000.
			for (let i = 2; i < jpeg.length - 9; ) {
				const marker = jpeg[i + 1];
				const length = jpeg.readUInt16BE(i + 2);
				if (marker === 0xc0 || marker === 0xc2) {
					jpeg.writeUInt16BE(20000, i + 5);
					jpeg.writeUInt16BE(20000, i + 7);
					break;
				}
				i += 2 + length;
			}
			await expect(alpr.predict(jpeg)).rejects.toThrow('Image is 20000×20000 (400.0 megapixels), over the limit of 100.0');
		});

		it('honours a lower pixel limit', async () => {
			const strict = await Alpr.create({ ...options, maxPixels: 100_000 });
			await expect(strict.predict(photo('misc/fast-alpr_test_image.png'))).rejects.toThrow(/518×331 .* over the limit of 0\.1/);
		});

		it('names the OCR model file and what it should be when given a detector instead', async () => {
			await expect(PlateOcrModel.load({ modelPath: join(models, 'y5fu_320x_sim.onnx'), provider: 'cpu' })).rejects.toThrow(
				/OCR model .*y5fu_320x_sim\.onnx has input .*expected a fast-plate-ocr model/,
			);
		});
	});
});
