// A local fake of a Qdrant server's REST API (collections, upsert, query, delete, count), following Qdrant's published API
// (https://api.qdrant.tech/api-reference): Qdrant cannot run here, so the Qdrant backend is tested against this.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Point {
	id: string | number;
	vector: number[];
	payload: Record<string, any>;
}

interface Collection {
	size: number;
	distance: 'Cosine' | 'Dot' | 'Euclid';
	points: Map<string, Point>;
}

export interface FakeQdrant {
	url: string;
	requests: Array<{ method: string; path: string; body: any }>;
	collections: Map<string, Collection>;
	close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function normalize(v: number[]): number[] {
	const n = Math.hypot(...v) || 1;
	return v.map((x) => x / n);
}

/** Qdrant's payload paths: "metadata.kind" reads payload.metadata.kind. */
function readPath(payload: Record<string, any>, key: string): any {
	return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), payload as any);
}

function matchCondition(point: Point, c: any): boolean {
	if (c.has_id) return c.has_id.map(String).includes(String(point.id));
	if (c.must || c.should || c.must_not) return matchFilter(point, c);
	const value = readPath(point.payload, c.key);
	if (c.match) {
		if ('value' in c.match) return value === c.match.value;
		if ('any' in c.match) return c.match.any.includes(value);
		throw new Error(`unsupported match ${JSON.stringify(c.match)}`);
	}
	if (c.range) {
		if (typeof value !== 'number') return false;
		const r = c.range;
		return (r.gt === undefined || value > r.gt) && (r.gte === undefined || value >= r.gte) && (r.lt === undefined || value < r.lt) && (r.lte === undefined || value <= r.lte);
	}
	throw new Error(`unsupported condition ${JSON.stringify(c)}`);
}

function matchFilter(point: Point, filter: any): boolean {
	if (!filter) return true;
	if (filter.must && !filter.must.every((c: any) => matchCondition(point, c))) return false;
	if (filter.must_not && filter.must_not.some((c: any) => matchCondition(point, c))) return false;
	if (filter.should?.length && !filter.should.some((c: any) => matchCondition(point, c))) return false;
	return true;
}

function score(c: Collection, a: number[], b: number[]): number {
	if (c.distance === 'Euclid') return Math.hypot(...a.map((x, i) => x - b[i]));
	return a.reduce((s, x, i) => s + x * b[i], 0);
}

export async function startFakeQdrant(options: { apiKey?: string } = {}): Promise<FakeQdrant> {
	const collections = new Map<string, Collection>();
	const requests: FakeQdrant['requests'] = [];
	const send = (res: ServerResponse, status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	};
	const ok = (res: ServerResponse, result: unknown) => send(res, 200, { result, status: 'ok', time: 0.0001 });
	const fail = (res: ServerResponse, status: number, error: string) => send(res, status, { status: { error }, time: 0 });

	const handle = (req: IncomingMessage, res: ServerResponse, body: any) => {
		const url = new URL(req.url ?? '/', 'http://x');
		const path = url.pathname;
		requests.push({ method: req.method ?? '', path, body });
		if (options.apiKey && req.headers['api-key'] !== options.apiKey) return fail(res, 401, 'Must provide an API key or an Authorization bearer token');
		if (req.method === 'GET' && path === '/collections') {
			return ok(res, { collections: [...collections.keys()].map((name) => ({ name })) });
		}
		const m = path.match(/^\/collections\/([^/]+)(\/.*)?$/);
		if (!m) return fail(res, 404, 'Not found');
		const name = decodeURIComponent(m[1]);
		const rest = m[2] ?? '';
		const collection = collections.get(name);
		if (rest === '' && req.method === 'PUT') {
			if (collection) return fail(res, 409, `Wrong input: Collection \`${name}\` already exists!`);
			collections.set(name, { size: body.vectors.size, distance: body.vectors.distance, points: new Map() });
			return ok(res, true);
		}
		if (rest === '' && req.method === 'DELETE') return ok(res, collections.delete(name));
		if (!collection) return fail(res, 404, `Not found: Collection \`${name}\` doesn't exist!`);
		if (rest === '' && req.method === 'GET') {
			return ok(res, {
				status: 'green',
				points_count: collection.points.size,
				config: { params: { vectors: { size: collection.size, distance: collection.distance } } },
			});
		}
		if (rest === '/points' && req.method === 'PUT') {
			for (const p of body.points) {
				if (!(typeof p.id === 'number' || UUID.test(String(p.id)))) {
					return fail(res, 400, `Format error in JSON body: value ${p.id} is not a valid point ID, valid values are either an unsigned integer or a UUID`);
				}
				if (p.vector.length !== collection.size) {
					return fail(res, 400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${p.vector.length}`);
				}
			}
			for (const p of body.points) {
				collection.points.set(String(p.id), { id: p.id, vector: collection.distance === 'Cosine' ? normalize(p.vector) : p.vector, payload: p.payload ?? {} });
			}
			return ok(res, { operation_id: requests.length, status: 'completed' });
		}
		if (rest === '/points/query' && req.method === 'POST') {
			const q = collection.distance === 'Cosine' ? normalize(body.query) : body.query;
			if (q.length !== collection.size) return fail(res, 400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${q.length}`);
			const hits = [...collection.points.values()]
				.filter((p) => matchFilter(p, body.filter))
				.map((p) => ({ p, s: score(collection, q, p.vector) }))
				.sort((a, b) => (collection.distance === 'Euclid' ? a.s - b.s : b.s - a.s))
				.filter(({ s }) => body.score_threshold === undefined || s >= body.score_threshold)
				.slice(0, body.limit ?? 10);
			return ok(res, { points: hits.map(({ p, s }) => ({ id: p.id, version: 0, score: s, payload: body.with_payload ? p.payload : undefined })) });
		}
		if (rest === '/points/count' && req.method === 'POST') {
			return ok(res, { count: [...collection.points.values()].filter((p) => matchFilter(p, body?.filter)).length });
		}
		if (rest === '/points/delete' && req.method === 'POST') {
			if (body.points) for (const id of body.points) collection.points.delete(String(id));
			if (body.filter) for (const [id, p] of collection.points) if (matchFilter(p, body.filter)) collection.points.delete(id);
			return ok(res, { operation_id: requests.length, status: 'completed' });
		}
		return fail(res, 404, `Not found: ${req.method} ${path}`);
	};

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			try {
				const text = Buffer.concat(chunks).toString();
				handle(req, res, text ? JSON.parse(text) : undefined);
			} catch (error) {
				fail(res, 400, `Format error in JSON body: ${(error as Error).message}`);
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		collections,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
