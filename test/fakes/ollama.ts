// A fake Ollama server (Ollama cannot run here): /api/embed, /api/tags and /api/version as Ollama's published API
// reference (docs/api.md) has them, with deterministic unit vectors, so n8n's Embeddings Ollama runs against it unchanged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeEmbedding } from './openai';

export interface FakeOllama {
	/** Base URL without a path, e.g. http://127.0.0.1:PORT, as the Ollama credential takes it. */
	url: string;
	/** Bodies of the /api/embed requests, in order. */
	embedRequests: Array<{ model: string; input: string[]; dimensions?: number; truncate?: boolean }>;
	close(): Promise<void>;
}

export interface FakeOllamaOptions {
	/** Models that are "pulled", with the size of their vectors. */
	models?: Record<string, number>;
}

function send(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<any> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			try {
				resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
			} catch {
				resolve(undefined);
			}
		});
	});
}

/** Ollama answers errors as {"error": "..."}; an unknown model is 404 "model \"x\" not found, try pulling it first". */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
	const models = options.models ?? { 'nomic-embed-text:latest': 768 };
	const embedRequests: FakeOllama['embedRequests'] = [];
	const modelDims = (name: string) => models[name] ?? models[`${name}:latest`];

	const embed = (res: ServerResponse, body: any) => {
		if (!body || typeof body.model !== 'string') return send(res, 400, { error: 'model is required' });
		const dims = modelDims(body.model);
		if (dims === undefined) return send(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
		const input: unknown[] = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : [];
		if (input.some((text) => typeof text !== 'string')) return send(res, 400, { error: 'invalid input type' });
		const texts = input as string[];
		embedRequests.push({ model: body.model, input: texts, dimensions: body.dimensions, truncate: body.truncate });
		const size = Number.isInteger(body.dimensions) && body.dimensions > 0 ? Math.min(body.dimensions, dims) : dims;
		send(res, 200, {
			model: body.model,
			embeddings: texts.map((text) => fakeEmbedding(text, size)),
			total_duration: 14_143_917,
			load_duration: 1_019_500,
			prompt_eval_count: texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0),
		});
	};

	const tags = (res: ServerResponse) =>
		send(res, 200, {
			models: Object.keys(models).map((name) => ({
				name,
				model: name,
				modified_at: '2026-11-01T00:00:00Z',
				size: 274_302_450,
				digest: '0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f',
				details: { format: 'gguf', family: 'nomic-bert', families: ['nomic-bert'], parameter_size: '137M', quantization_level: 'F16' },
			})),
		});

	const server = createServer(async (req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (req.method === 'POST' && path === '/api/embed') return embed(res, await readJson(req));
		if (req.method === 'GET' && path === '/api/tags') return tags(res);
		if (req.method === 'GET' && path === '/api/version') return send(res, 200, { version: '0.12.6' });
		if (req.method === 'GET' && path === '/') {
			res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
			return res.end('Ollama is running');
		}
		send(res, 404, { error: '404 page not found' });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		embedRequests,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
