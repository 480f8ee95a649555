// Default models: downloaded once from a local mirror of the shared files, verified by SHA-256, corrupt downloads discarded.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DETECTOR, DEFAULT_OCR, defaultModelDir, ensureModel, ensureReader, OCR_V1, OCR_V2_CONFIG } from '../../nodes/PlateDetector/vision/models';
import { requireFixtures } from '../helpers/fixtures';

const modelFixtures = requireFixtures('the plate model download tests', ['models/SHA256SUMS']);
const models = modelFixtures.path('models');
const describeWithModels = modelFixtures.describe;

/** Serves the shared model files; `corrupt` flips one byte of every file served. */
async function mirror(corrupt = false) {
	const requests: string[] = [];
	const server: Server = createServer((req, res) => {
		requests.push(req.url ?? '');
		const file = join(models, (req.url ?? '').split('/').pop() ?? '');
		if (!existsSync(file)) {
			res.writeHead(404).end('not found');
			return;
		}
		const bytes = Buffer.from(readFileSync(file));
		if (corrupt) bytes[1000] ^= 0xff;
		res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as { port: number };
	return { url: `http://127.0.0.1:${port}/models`, requests, close: () => new Promise((r) => server.close(r)) };
}

describeWithModels('default model download', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'plate-models-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('pins the hashes published in the shared SHA256SUMS', () => {
		const sums = readFileSync(join(models, 'SHA256SUMS'), 'utf8');
		expect(sums).toContain(`${DEFAULT_DETECTOR.sha256}  ${DEFAULT_DETECTOR.file}`);
		for (const model of [DEFAULT_OCR, OCR_V2_CONFIG, OCR_V1]) expect(sums).toContain(`${model.sha256}  ${model.file}`);
		expect(DEFAULT_OCR.file).toBe('cct_xs_v2_global.onnx');
		expect([DEFAULT_OCR.url, OCR_V2_CONFIG.url]).toEqual([
			'https://github.com/ankandrew/fast-plate-ocr/releases/download/arg-plates/cct_xs_v2_global.onnx',
			'https://github.com/ankandrew/fast-plate-ocr/releases/download/arg-plates/cct_xs_v2_global_plate_config.yaml',
		]);
	});

	it('downloads the default reader with its config, and v1 alone when asked for', async () => {
		const server = await mirror();
		try {
			const v2 = await ensureReader('v2', { dir, baseUrl: server.url });
			expect(v2).toEqual({ modelPath: join(dir, 'cct_xs_v2_global.onnx'), configPath: join(dir, 'cct_xs_v2_global_plate_config.yaml') });
			expect(readFileSync(v2.configPath as string, 'utf8')).toContain('plate_regions');
			expect(await ensureReader('v1', { dir, baseUrl: server.url })).toEqual({ modelPath: join(dir, 'cct_xs_v1_global.onnx'), configPath: undefined });
			expect(server.requests.sort()).toEqual(['/models/cct_xs_v1_global.onnx', '/models/cct_xs_v2_global.onnx', '/models/cct_xs_v2_global_plate_config.yaml']);
		} finally {
			await server.close();
		}
	});

	it('downloads each default model once, verifies it, and reuses the file afterwards', async () => {
		const server = await mirror();
		try {
			const detector = await ensureModel(DEFAULT_DETECTOR, { dir, baseUrl: server.url });
			const ocr = await ensureModel(OCR_V1, { dir, baseUrl: server.url });
			expect(detector).toBe(join(dir, 'y5fu_320x_sim.onnx'));
			expect(readFileSync(ocr).equals(readFileSync(join(models, 'cct_xs_v1_global.onnx')))).toBe(true);
			expect(server.requests).toEqual(['/models/y5fu_320x_sim.onnx', '/models/cct_xs_v1_global.onnx']);
			await ensureModel(DEFAULT_DETECTOR, { dir, baseUrl: server.url });
			expect(server.requests).toHaveLength(2);
		} finally {
			await server.close();
		}
	});

	it('rejects a corrupted download and leaves no file behind', async () => {
		const server = await mirror(true);
		try {
			await expect(ensureModel(OCR_V2_CONFIG, { dir, baseUrl: server.url })).rejects.toThrow(
				/Downloaded cct_xs_v2_global_plate_config\.yaml does not match its pinned SHA-256 .* it was discarded/,
			);
			expect(readdirSync(dir)).toEqual([]);
		} finally {
			await server.close();
		}
	});

	it('says where to put the file by hand when the download fails', async () => {
		const server = await mirror();
		await server.close();
		await expect(ensureModel(DEFAULT_DETECTOR, { dir, baseUrl: server.url })).rejects.toThrow(
			/Could not download the default model y5fu_320x_sim\.onnx from http:\/\/127\.0\.0\.1:\d+\/models\/y5fu_320x_sim\.onnx/,
		);
	});

	it('keeps models under the n8n user folder', () => {
		const before = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = '/srv/n8n';
		try {
			expect(defaultModelDir()).toBe('/srv/n8n/.n8n/agentic/models');
		} finally {
			if (before === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = before;
		}
	});
});
