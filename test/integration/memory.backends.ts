// The backends every Vector Memory suite runs against, each started for real where it runs here: the embedded store on a temp
// folder, pgvector on real Postgres 15 (Debian's, with pgvector built from source) and on PGlite's Postgres over the wire
// protocol, a real Chroma server; Qdrant and Pinecone on fakes of their APIs.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { startChromaServer, type ChromaServer } from '../helpers/chroma';
import { startPgliteServer, type PgliteServer } from '../helpers/pglite';
import { postgresMissing, startPostgres as startRealPostgres, type PostgresServer } from '../helpers/postgres';

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

/** PGlite's Postgres + pgvector over the wire protocol (kept as `startPostgres` for the suites that reach into its tables). */
export async function startPostgres(): Promise<PgliteServer> {
	return startPgliteServer();
}

export interface BackendUnderTest {
	name: string;
	start(): Promise<StoreBackend>;
	stop(): Promise<void>;
}

const tempDirs: string[] = [];

/** Why real Postgres is not in the list here (a developer machine without it), or undefined. Under CI it must be there. */
export const realPostgresMissing = postgresMissing();
if (realPostgresMissing && process.env.CI === 'true') throw new Error(`the Vector Memory suites need real Postgres under CI: ${realPostgresMissing}`);
if (realPostgresMissing) console.warn(`Vector Memory suites run without real Postgres: ${realPostgresMissing}`);

function realPostgresBackend(): BackendUnderTest {
	let server: PostgresServer | undefined;
	let table = 0;
	return {
		name: 'postgres15',
		async start() {
			server ??= await startRealPostgres();
			return new PgVectorStore({
				connection: { host: server.host, port: server.port, user: server.user, database: server.database, max: 2 },
				tableName: `conformance_real_${++table}`,
			});
		},
		async stop() {
			await server?.stop();
			server = undefined;
		},
	};
}

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
		let server: PgliteServer | undefined;
		let table = 0;
		return {
			name: 'pgvector',
			async start() {
				server ??= await startPgliteServer();
				return new PgVectorStore({
					connection: { host: '127.0.0.1', port: server.port, user: 'postgres', password: 'postgres', database: 'postgres', max: 1 },
					tableName: `conformance_${++table}`,
				});
			},
			async stop() {
				await server?.stop();
				server = undefined;
			},
		};
	})(),
	...(realPostgresMissing ? [] : [realPostgresBackend()]),
	(() => {
		let server: ChromaServer | undefined;
		return {
			name: 'chroma',
			async start() {
				server ??= await startChromaServer();
				return new ChromaStore({ baseUrl: server.url });
			},
			async stop() {
				await server?.stop();
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

