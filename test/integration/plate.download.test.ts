// Default models: downloaded once from a local mirror of the shared files, verified by SHA-256, corrupt downloads discarded.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DETECTOR, DEFAULT_OCR, defaultModelDir, ensureModel } from '../../nodes/PlateDetector/vision/models';
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
		expect(sums).toContain(`${DEFAULT_OCR.sha256}  ${DEFAULT_OCR.file}`);
	});

	it('downloads each default model once, verifies it, and reuses the file afterwards', async () => {
		const server = await mirror();
		try {
			const detector = await ensureModel(DEFAULT_DETECTOR, { dir, baseUrl: server.url });
			const ocr = await ensureModel(DEFAULT_OCR, { dir, baseUrl: server.url });
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
			await expect(ensureModel(DEFAULT_OCR, { dir, baseUrl: server.url })).rejects.toThrow(
				/Downloaded cct_xs_v1_global\.onnx does not match its pinned SHA-256 .* it was discarded/,
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
