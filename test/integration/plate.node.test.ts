// The Plate Detector node's execute() in the shared stand-in for n8n's execute context, over the real models, ffmpeg and a local model mirror.
import { runInThisContext } from 'node:vm';
// Jest gives each test file its own Float32Array, but onnxruntime-node builds outputs with Node's: use Node's here too.
(globalThis as { Float32Array: unknown }).Float32Array = runInThisContext('Float32Array');
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import sharp from 'sharp';
import { PlateDetector } from '../../nodes/PlateDetector/PlateDetector.node';
import { Alpr } from '../../nodes/PlateDetector/vision/alpr';
import { binaryData, executeContext } from '../helpers/executeContext';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';

const plateFixtures = requireFixtures('the Plate Detector node tests', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO, 'plates/eu/eu1.jpg', 'plates/eu/test_013.jpg']);
const generated = resolve(__dirname, '../fixtures/generated');
const models = plateFixtures.path('models');

const modelOptions = { detectorModelPath: plateFixtures.path(PLATE_DETECTOR_MODEL), ocrModelPath: plateFixtures.path(PLATE_OCR_MODEL), executionProvider: 'cpu' };
const carPhoto = () => readFileSync(plateFixtures.path(CAR_PHOTO));

interface Item {
	json?: IDataObject;
	bytes?: Buffer;
	mimeType?: string;
	params?: Record<string, unknown>;
	/** Kept by n8n's binary data manager (filesystem/S3 mode): the item carries an id, its bytes come as a stream. */
	stored?: boolean;
}

function context(items: Item[], continueOnFail = false, watchlistItems: IDataObject[] = []) {
	const defaults: Record<string, unknown> = { input: 'binary', binaryPropertyName: 'data', options: modelOptions, watchlistSource: 'none' };
	return executeContext({
		nodeType: new PlateDetector(),
		items: items.map((item) => ({
			json: item.json ?? {},
			...(item.bytes ? { binary: { data: binaryData(item.bytes, { mimeType: item.mimeType ?? 'image/png', stored: item.stored }) } } : {}),
		})),
		moreInputs: [watchlistItems.map((json) => ({ json }))],
		parameters: (i) => ({ ...defaults, ...items[i].params }),
		continueOnFail,
	});
}

async function execute(items: Item[], continueOnFail = false, watchlistItems: IDataObject[] = []) {
	const [out] = await new PlateDetector().execute.call(context(items, continueOnFail, watchlistItems));
	return out;
}

plateFixtures.describe('Plate Detector node', () => {
	it('reads the plate of a photo in the binary property, with box, corners and the provider that ran', async () => {
		const [item] = await execute([{ bytes: carPhoto() }]);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({ plateText: '5AU5341', plateCount: 1, width: 518, height: 331, provider: 'cpu' });
		const plate = (item.json.plates as IDataObject[])[0];
		expect(plate).toMatchObject({ plateText: '5AU5341' });
		expect((plate.charConfidences as number[]).length).toBe(7);
		expect((plate.corners as unknown[]).length).toBe(4);
		expect(plate.detectionScore).toBeGreaterThan(0.5);
	});

	it('under Continue On Fail gives each bad item an error and reads the others', async () => {
		const truncated = readFileSync(plateFixtures.path('plates/eu/eu1.jpg')).subarray(0, 20000);
		const out = await execute([{ bytes: carPhoto() }, { bytes: Buffer.from('not an image') }, { bytes: Buffer.alloc(0) }, { bytes: truncated, mimeType: 'image/jpeg' }, {}, { bytes: carPhoto() }], true);
		expect(out.map((o) => o.json.plateText ?? null)).toEqual(['5AU5341', null, null, null, null, '5AU5341']);
		expect(out[1].json.error).toMatch(/not an image/);
		expect(out[2].json.error).toBe('The image is empty (0 bytes)');
		expect(out[3].json.error).toMatch(/Could not decode the image/);
		expect(out[4].json.error).toMatch(/binary file 'data'/);
		expect(out.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
	});

	it('without Continue On Fail stops with an error naming the item', async () => {
		await expect(execute([{ bytes: carPhoto() }, { bytes: Buffer.from('nope') }])).rejects.toMatchObject({
			constructor: NodeOperationError,
			context: { itemIndex: 1 },
		});
	});

	it('names the missing model file and the option to fix', async () => {
		const out = await execute([{ bytes: carPhoto(), params: { options: { ...modelOptions, detectorModelPath: '/nowhere/detector.onnx' } } }], true);
		expect(out[0].json.error).toBe('Model file not found: /nowhere/detector.onnx');
		expect(out[0].json.errorDescription).toMatch(/existing ONNX model file/);
	});

	it('adds plate crops and an annotated image as binary data when asked', async () => {
		const [item] = await execute([{ bytes: carPhoto(), params: { options: { ...modelOptions, includeCrops: true, includeAnnotatedImage: true } } }]);
		expect(Object.keys(item.binary ?? {}).sort()).toEqual(['annotated', 'plate_0']);
		const annotated = await sharp(Buffer.from(item.binary?.annotated.data as string, 'base64')).metadata();
		expect(annotated).toMatchObject({ format: 'jpeg', width: 518, height: 331 });
		expect(item.binary?.plate_0.mimeType).toBe('image/jpeg');
	});

	it('matches readings against a typed watchlist and against a list in an item field', async () => {
		const [typed, field] = await execute([
			{ bytes: carPhoto(), params: { watchlistSource: 'list', watchlist: 'AB12CDE\nSAU-5341', watchlistMaxDistance: 1 } },
			{ bytes: carPhoto(), json: { wanted: ['XY99ZZZ'] }, params: { watchlistSource: 'field', watchlistField: 'wanted', watchlistMaxDistance: 1 } },
		]);
		expect((typed.json.plates as IDataObject[])[0].watchlistMatch).toEqual({ entry: 'SAU-5341', distance: 0.5 });
		expect((field.json.plates as IDataObject[])[0].watchlistMatch).toBeNull();
	});

	it('matches readings against the plates of the items on the Watchlist input', async () => {
		const params = { watchlistSource: 'input', watchlistInputField: 'plate', watchlistMaxDistance: 0.5 };
		const [hit] = await execute([{ bytes: carPhoto(), params }], false, [{ plate: 'AB12CDE' }, { plate: '5AU 5341' }, { other: 1 }]);
		expect((hit.json.plates as IDataObject[])[0].watchlistMatch).toEqual({ entry: '5AU 5341', distance: 0 });
		const [miss] = await execute([{ bytes: carPhoto(), params }], false, [{ plate: '5AV5342' }]);
		expect((miss.json.plates as IDataObject[])[0].watchlistMatch).toBeNull();
	});

	it('shows a second input only when the watchlist comes from it', () => {
		expect(new PlateDetector().description.inputs).toMatch(/\$parameter\["watchlistSource"\] === "input" \? \[.*"displayName": "Watchlist".*\] : \["main"\]/);
	});

	it('reports CPU and why when CUDA was asked for on a host without it', async () => {
		const [item] = await execute([{ bytes: carPhoto(), params: { options: { ...modelOptions, executionProvider: 'cuda' } } }]);
		expect(['cpu', 'cuda']).toContain(item.json.provider);
		if (item.json.provider === 'cpu') expect(item.json.providerNote).toMatch(/^cuda unavailable/);
	});

	it('reads a video in the binary property and reports each plate once with its timestamp', async () => {
		mkdirSync(generated, { recursive: true });
		const file = join(generated, 'plate-node-test.mp4');
		execFileSync('ffmpeg', [
			'-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '10', '-t', '2', '-i', plateFixtures.path(CAR_PHOTO),
			'-vf', 'scale=640:-2,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', file,
		]);
		const [item] = await execute([{ bytes: readFileSync(file), mimeType: 'video/mp4', params: { options: { ...modelOptions, fps: 2 } } }]);
		expect(item.json).toMatchObject({ plateText: '5AU5341', plateCount: 1, framesProcessed: 4 });
		expect((item.json.plates as IDataObject[])[0]).toMatchObject({ firstSeenSeconds: 0, lastSeenSeconds: 1.5, frames: 4, votes: 4 });
	});

	it('streams a video and a photo kept by the binary data manager instead of loading them whole', async () => {
		const file = join(generated, 'plate-node-test.mp4');
		if (!existsSync(file)) {
			mkdirSync(generated, { recursive: true });
			execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '10', '-t', '2', '-i', plateFixtures.path(CAR_PHOTO), '-vf', 'scale=640:-2,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', file]);
		}
		const ctx = context([
			{ bytes: readFileSync(file), mimeType: 'application/octet-stream', stored: true, params: { options: { ...modelOptions, fps: 2 } } },
			{ bytes: carPhoto(), stored: true },
		]);
		const [[video, photo]] = await new PlateDetector().execute.call(ctx);
		expect(video.json).toMatchObject({ plateText: '5AU5341', plateCount: 1, framesProcessed: 4 });
		expect(photo.json).toMatchObject({ plateText: '5AU5341', plateCount: 1, width: 518, height: 331 });
		expect(ctx.storedBinariesLoadedWhole).toEqual([]);
	});

	it('loads the models once for all items with the same options', async () => {
		const create = jest.spyOn(Alpr, 'create');
		try {
			const out = await execute([{ bytes: carPhoto() }, { bytes: carPhoto() }, { bytes: carPhoto(), params: { options: { ...modelOptions, minPlateWidth: 20 } } }]);
			expect(out.map((item) => item.json.plateText)).toEqual(['5AU5341', '5AU5341', '5AU5341']);
			expect(create).toHaveBeenCalledTimes(2);
		} finally {
			create.mockRestore();
		}
	});

	it('reads plates from an HTTP stream for the set duration', async () => {
		mkdirSync(generated, { recursive: true });
		const file = join(generated, 'plate-node-stream.mp4');
		execFileSync('ffmpeg', [
			'-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '10', '-t', '4', '-i', plateFixtures.path(CAR_PHOTO),
			'-vf', 'scale=640:-2,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-movflags', '+faststart', file,
		]);
		const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(readFileSync(file)));
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		try {
			const streamUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/camera.mp4`;
			const [item] = await execute([{ params: { input: 'stream', streamUrl, streamDurationSeconds: 1, options: { ...modelOptions, fps: 4 } } }]);
			expect(item.json).toMatchObject({ plateText: '5AU5341', framesProcessed: 4 });
		} finally {
			await new Promise((r) => server.close(r));
		}
	});

	it('applies plate patterns, the pixel limit and the minimum plate width', async () => {
		const run = async (options: IDataObject) => (await execute([{ bytes: carPhoto(), params: { options: { ...modelOptions, ...options } } }], true))[0].json;
		// "AAA9999" wants a letter first: the reader's runner-up for the leading 5 is S.
		expect((await run({ platePatterns: 'AAA9999, AA99AAA' })).plateText).toBe('SAU5341');
		expect((await run({ maxMegapixels: 0.1 })).error).toMatch(/518×331 .* over the limit of 0\.1/);
		expect((await run({ minPlateWidth: 200 })).plateCount).toBe(0);
		expect((await run({ minPlateWidth: 60, padValue: 114 })).plateText).toBe('5AU5341');
	});

	it('with the v2 reader gives each plate its country, and limits plate patterns and the watchlist to the chosen regions', async () => {
		const v2 = { ...modelOptions, ocrModelPath: join(models, 'cct_xs_v2_global.onnx'), ocrConfigPath: join(models, 'cct_xs_v2_global_plate_config.yaml') };
		const run = async (options: IDataObject) =>
			(await execute([{ bytes: carPhoto(), params: { options: { ...v2, ...options }, watchlistSource: 'list', watchlist: 'SAU-5341' } }], true))[0].json;
		const free = await run({});
		expect(free.plates as IDataObject[]).toMatchObject([{ plateText: '5AU5341', region: 'Czech Republic', watchlistMatch: { entry: 'SAU-5341', distance: 0.5 } }]);
		expect((free.plates as IDataObject[])[0].regionConfidence).toBeGreaterThan(0.9);
		// The car's plate is Czech: a pattern for Slovakia leaves it alone and no Slovak watchlist entry matches it.
		const elsewhere = await run({ platePatterns: 'AAA9999', regions: 'Slovakia' });
		expect(elsewhere.plates as IDataObject[]).toMatchObject([{ plateText: '5AU5341', region: 'Czech Republic', watchlistMatch: null }]);
		const here = await run({ platePatterns: 'AAA9999', regions: 'Slovakia, czech republic' });
		expect(here.plates as IDataObject[]).toMatchObject([{ plateText: 'SAU5341', watchlistMatch: { entry: 'SAU-5341', distance: 0 } }]);
		expect((await run({ regions: 'Bohemia' })).error).toBe('Unknown region "Bohemia"');
		expect((await run({ regions: 'Germany', ocrConfigPath: '' })).error).toMatch(/^Regions \(Germany\) need a reader that tells the plate's country/);
	});

	it('keeps only plates above the confidence threshold when some plate clears it', async () => {
		// Two cars side by side: the fast-alpr car (detector score ~0.8) and eu test_013 (~0.15).
		const weak = readFileSync(plateFixtures.path('plates/eu/test_013.jpg'));
		const pair = await sharp({ create: { width: 900, height: 340, channels: 3, background: '#808080' } })
			.composite([{ input: carPhoto(), left: 0, top: 0 }, { input: weak, left: 530, top: 20 }])
			.jpeg({ quality: 92 })
			.toBuffer();
		const texts = async (confidenceThreshold: number) =>
			((await execute([{ bytes: pair, params: { options: { ...modelOptions, confidenceThreshold } } }]))[0].json.plates as IDataObject[]).map((p) => p.plateText).sort();
		expect(await texts(0.3)).toEqual(['5AU5341']);
		expect(await texts(0.1)).toEqual(['5AU5341', 'RK857AI']);
	});

	it('refuses a stream URL that is not rtsp/http/https', async () => {
		const out = await execute([{ params: { input: 'stream', streamUrl: 'file:///etc/passwd', streamDurationSeconds: 2 } }], true);
		expect(out[0].json.error).toBe('Stream URL scheme "file:" is not allowed');
	});

	it('downloads the default models into the n8n user folder on first use', async () => {
		const userFolder = mkdtempSync(join(tmpdir(), 'plate-n8n-'));
		const server = createServer((req, res) => res.end(readFileSync(join(models, (req.url ?? '').split('/').pop() as string))));
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const saved = { folder: process.env.N8N_USER_FOLDER, base: process.env.AGENTIC_MODELS_BASE_URL };
		process.env.N8N_USER_FOLDER = userFolder;
		process.env.AGENTIC_MODELS_BASE_URL = `http://127.0.0.1:${(server.address() as { port: number }).port}/mirror`;
		try {
			const [item] = await execute([{ bytes: carPhoto(), params: { options: { executionProvider: 'cpu' } } }]);
			expect(item.json.plateText).toBe('5AU5341');
			expect(existsSync(join(userFolder, '.n8n/agentic/models/y5fu_320x_sim.onnx'))).toBe(true);
			expect((item.json.plates as IDataObject[])[0].region).toBe('Czech Republic');
			const downloaded = readdirSync(join(userFolder, '.n8n/agentic/models')).sort();
			expect(downloaded).toEqual(['cct_xs_v2_global.onnx', 'cct_xs_v2_global_plate_config.yaml', 'y5fu_320x_sim.onnx']);
			const [v1] = await execute([{ bytes: carPhoto(), params: { options: { executionProvider: 'cpu', readerModel: 'v1' } } }]);
			expect(v1.json.plateText).toBe('5AU5341');
			expect((v1.json.plates as IDataObject[])[0].region).toBeUndefined();
			expect(existsSync(join(userFolder, '.n8n/agentic/models/cct_xs_v1_global.onnx'))).toBe(true);
		} finally {
			if (saved.folder === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = saved.folder;
			if (saved.base === undefined) delete process.env.AGENTIC_MODELS_BASE_URL;
			else process.env.AGENTIC_MODELS_BASE_URL = saved.base;
			await new Promise((r) => server.close(r));
			rmSync(userFolder, { recursive: true, force: true });
		}
	});
});
