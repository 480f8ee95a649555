// The backends every Vector Memory suite runs against, each started for real where it runs here: the embedded store on a temp
// folder, pgvector on PGlite's Postgres over the wire protocol, a real Chroma server; Qdrant and Pinecone on fakes of their APIs.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { AgenticError } from '../../nodes/shared/errors';
import type { Embedder } from '../../nodes/VectorMemory/embeddings';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';
import { PgVectorStore } from '../../nodes/VectorMemory/stores/pgvector';
import { ChromaStore } from '../../nodes/VectorMemory/stores/chroma';
import { PineconeStore } from '../../nodes/VectorMemory/stores/pinecone';
import { QdrantStore } from '../../nodes/VectorMemory/stores/qdrant';
import { startFakePinecone, type FakePinecone } from '../fakes/pinecone';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant';
import type { StoreBackend } from '../../nodes/VectorMemory/types';

/** Bag-of-words embedder: texts sharing words get close vectors, so rankings are predictable. */
export function wordEmbedder(dims = 64): Embedder & { calls: number; failOnCall?: number } {
	const embedder = {
		calls: 0,
		failOnCall: undefined as number | undefined,
		async embed(texts: string[]) {
			embedder.calls++;
			if (embedder.failOnCall === embedder.calls) throw new AgenticError('upstream', 'embeddings API down');
			return texts.map((text) => {
				const v = new Array<number>(dims).fill(0);
				for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
					const h = createHash('sha256').update(word).digest();
					v[h.readUInt32LE(0) % dims] += 1;
					v[h.readUInt32LE(4) % dims] += 0.5;
				}
				const norm = Math.hypot(...v) || 1;
				return v.map((x) => x / norm);
			});
		},
	};
	return embedder;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/**
 * Postgres with pgvector as its own process: PGlite (Postgres compiled to WebAssembly, with the real
 * pgvector extension) behind pglite-socket's wire-protocol server. Its own process because PGlite
 * loads itself with dynamic import(), which Jest's module sandbox does not allow.
 */
export async function startPostgres(): Promise<{ port: number; child: ChildProcess }> {
	const port = await freePort();
	const script = `
		const { PGlite } = require('@electric-sql/pglite');
		const { vector } = require('@electric-sql/pglite-pgvector');
		const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
		(async () => {
			const db = await PGlite.create({ extensions: { vector } });
			const server = new PGLiteSocketServer({ db, port: ${port}, host: '127.0.0.1', maxConnections: 16 });
			await server.start();
			console.log('ready');
		})().catch((e) => { console.error(e); process.exit(1); });`;
	const child = spawn(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
	await new Promise<void>((resolve, reject) => {
		child.stdout!.on('data', (data: Buffer) => data.toString().includes('ready') && resolve());
		child.on('exit', (code) => reject(new Error(`PGlite server exited with ${code}`)));
	});
	return { port, child };
}

/** A real Chroma server from npm (`chroma run`), on a temp folder. */
export async function startChroma(): Promise<{ url: string; child: ChildProcess; dir: string }> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'memory-chroma-'));
	const bin = join(__dirname, '..', '..', 'node_modules', '.bin', 'chroma');
	const child = spawn(bin, ['run', '--path', dir, '--port', String(port)], { stdio: 'ignore' });
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			if ((await fetch(`${url}/api/v2/heartbeat`)).ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline || child.exitCode !== null) throw new Error('Chroma server did not start');
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return { url, child, dir };
}

export interface BackendUnderTest {
	name: string;
	start(): Promise<StoreBackend>;
	stop(): Promise<void>;
}

const tempDirs: string[] = [];

export const backends: BackendUnderTest[] = [
	{
		name: 'embedded',
		async start() {
			const dir = mkdtempSync(join(tmpdir(), 'memory-conf-'));
			tempDirs.push(dir);
			return new EmbeddedStore({ directory: dir });
		},
		async stop() {
			for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
		},
	},
	(() => {
		let server: { port: number; child: ChildProcess } | undefined;
		let table = 0;
		return {
			name: 'pgvector',
			async start() {
				server ??= await startPostgres();
				return new PgVectorStore({
					connection: { host: '127.0.0.1', port: server.port, user: 'postgres', password: 'postgres', database: 'postgres', max: 1 },
					tableName: `conformance_${++table}`,
				});
			},
			async stop() {
				server?.child.kill('SIGKILL');
				server = undefined;
			},
		};
	})(),
	(() => {
		let server: Awaited<ReturnType<typeof startChroma>> | undefined;
		return {
			name: 'chroma',
			async start() {
				server ??= await startChroma();
				return new ChromaStore({ baseUrl: server.url });
			},
			async stop() {
				server?.child.kill('SIGKILL');
				if (server) rmSync(server.dir, { recursive: true, force: true });
				server = undefined;
			},
		};
	})(),
	(() => {
		let fake: FakeQdrant | undefined;
		return {
			name: 'qdrant',
			async start() {
				fake = await startFakeQdrant({ apiKey: 'qdrant-test-key' });
				return new QdrantStore({ baseUrl: fake.url, apiKey: 'qdrant-test-key' });
			},
			async stop() {
				await fake?.close();
			},
		};
	})(),
	(() => {
		let fake: FakePinecone | undefined;
		return {
			name: 'pinecone',
			async start() {
				fake = await startFakePinecone({ apiKey: 'pc-test-key', dimension: 64 });
				return new PineconeStore({ indexHost: fake.url, apiKey: 'pc-test-key' });
			},
			async stop() {
				await fake?.close();
			},
		};
	})(),
];

