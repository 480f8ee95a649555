// A local fake of one Pinecone index's data-plane REST API (upsert, query, fetch, delete, describe_index_stats), following
// Pinecone's published API (https://docs.pinecone.io/reference/api): Pinecone cannot run here, so its backend is tested against this.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Vector {
	id: string;
	values: number[];
	metadata?: Record<string, any>;
}

export interface FakePinecone {
	/** The index host. */
	url: string;
	requests: Array<{ method: string; path: string; body: any }>;
	namespaces: Map<string, Map<string, Vector>>;
	close(): Promise<void>;
}

/** Pinecone's largest topK, and the most ids one fetch or delete takes. */
const MAX_TOP_K = 10_000;
const MAX_IDS = 1000;

function matchFilter(metadata: Record<string, any> | undefined, filter: any): boolean {
	if (!filter) return true;
	return Object.entries(filter).every(([key, cond]: [string, any]) => {
		if (key === '$and') return cond.every((f: any) => matchFilter(metadata, f));
		if (key === '$or') return cond.some((f: any) => matchFilter(metadata, f));
		const value = metadata?.[key];
		const ops = typeof cond === 'object' && cond !== null && !Array.isArray(cond) ? cond : { $eq: cond };
		return Object.entries(ops).every(([op, v]: [string, any]) => {
			switch (op) {
				case '$eq': return value === v;
				case '$ne': return value !== v;
				case '$in': return v.includes(value);
				case '$nin': return !v.includes(value);
				case '$gt': return typeof value === 'number' && value > v;
				case '$gte': return typeof value === 'number' && value >= v;
				case '$lt': return typeof value === 'number' && value < v;
				case '$lte': return typeof value === 'number' && value <= v;
				default: throw new Error(`unsupported operator ${op}`);
			}
		});
	});
}

function cosine(a: number[], b: number[]): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i] * b[i];
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	return dot / (Math.sqrt(na * nb) || 1);
}

/** A serverless cosine index of fixed `dimension`, as created in the Pinecone console. */
export async function startFakePinecone(options: { apiKey?: string; dimension: number }): Promise<FakePinecone> {
	const namespaces = new Map<string, Map<string, Vector>>();
	const requests: FakePinecone['requests'] = [];
	const send = (res: ServerResponse, status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	};
	const fail = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { code: status === 400 ? 3 : 16, message, details: [], error: { code, message } });
	const ns = (name: unknown) => {
		const key = typeof name === 'string' ? name : '';
		if (!namespaces.has(key)) namespaces.set(key, new Map());
		return namespaces.get(key)!;
	};

	const handle = (req: IncomingMessage, res: ServerResponse, body: any) => {
		const url = new URL(req.url ?? '/', 'http://x');
		requests.push({ method: req.method ?? '', path: url.pathname, body });
		if (options.apiKey && req.headers['api-key'] !== options.apiKey) return fail(res, 401, 'UNAUTHENTICATED', 'Invalid API Key');
		if (url.pathname === '/vectors/upsert' && req.method === 'POST') {
			for (const v of body.vectors) {
				if (v.values.length !== options.dimension) {
					return fail(res, 400, 'INVALID_ARGUMENT', `Vector dimension ${v.values.length} does not match the dimension of the index ${options.dimension}`);
				}
			}
			const target = ns(body.namespace);
			for (const v of body.vectors) target.set(v.id, { id: v.id, values: v.values, metadata: v.metadata });
			return send(res, 200, { upsertedCount: body.vectors.length });
		}
		if (url.pathname === '/query' && req.method === 'POST') {
			// Pinecone's published limit: topK from 1 to 10,000 (https://docs.pinecone.io/reference/api/2025-04/data-plane/query).
			if (!Number.isInteger(body.topK) || body.topK < 1 || body.topK > MAX_TOP_K) {
				return fail(res, 400, 'INVALID_ARGUMENT', `Invalid request: topK must be between 1 and ${MAX_TOP_K}, got ${body.topK}`);
			}
			if (body.vector.length !== options.dimension) {
				return fail(res, 400, 'INVALID_ARGUMENT', `Vector dimension ${body.vector.length} does not match the dimension of the index ${options.dimension}`);
			}
			const matches = [...ns(body.namespace).values()]
				.filter((v) => matchFilter(v.metadata, body.filter))
				.map((v) => ({ id: v.id, score: cosine(body.vector, v.values), metadata: body.includeMetadata ? v.metadata : undefined }))
				.sort((a, b) => b.score - a.score)
				.slice(0, body.topK);
			return send(res, 200, { matches, namespace: body.namespace ?? '', usage: { readUnits: 1 } });
		}
		if (url.pathname === '/vectors/fetch' && req.method === 'GET') {
			const target = ns(url.searchParams.get('namespace') ?? '');
			if (url.searchParams.getAll('ids').length > MAX_IDS) return fail(res, 400, 'INVALID_ARGUMENT', `Invalid request: at most ${MAX_IDS} ids per fetch`);
			const vectors: Record<string, Vector> = {};
			for (const id of url.searchParams.getAll('ids')) if (target.has(id)) vectors[id] = target.get(id)!;
			return send(res, 200, { vectors, namespace: url.searchParams.get('namespace') ?? '' });
		}
		if (url.pathname === '/vectors/delete' && req.method === 'POST') {
			if ((body.ids ?? []).length > MAX_IDS) return fail(res, 400, 'INVALID_ARGUMENT', `Invalid request: at most ${MAX_IDS} ids per delete`);
			const target = ns(body.namespace);
			if (body.deleteAll) target.clear();
			for (const id of body.ids ?? []) target.delete(id);
			if (body.filter) for (const [id, v] of target) if (matchFilter(v.metadata, body.filter)) target.delete(id);
			return send(res, 200, {});
		}
		if (url.pathname === '/describe_index_stats' && (req.method === 'POST' || req.method === 'GET')) {
			const counts: Record<string, { vectorCount: number }> = {};
			let total = 0;
			for (const [name, vectors] of namespaces) {
				if (vectors.size === 0) continue;
				counts[name] = { vectorCount: vectors.size };
				total += vectors.size;
			}
			return send(res, 200, { namespaces: counts, dimension: options.dimension, indexFullness: 0, totalVectorCount: total, metric: 'cosine', vectorType: 'dense' });
		}
		return fail(res, 404, 'NOT_FOUND', `Not found: ${req.method} ${url.pathname}`);
	};

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			try {
				const text = Buffer.concat(chunks).toString();
				handle(req, res, text ? JSON.parse(text) : undefined);
			} catch (error) {
				fail(res, 400, 'INVALID_ARGUMENT', (error as Error).message);
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, requests, namespaces, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
