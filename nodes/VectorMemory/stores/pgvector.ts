// Postgres + pgvector backend: one table (namespace, id, text, metadata jsonb, embedding vector(n)) with an HNSW index.
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { AgenticError } from '../../shared/errors';
import { dimensionMismatch } from '../errors';
import { conditionOperators } from '../filter';
import { sizeLimitedBatches } from './batches';
import type { MetadataFilter, NamespaceStats, SearchHit, SearchRequest, StoreBackend, VectorRecord } from '../types';

export type PgDistance = 'cosine' | 'euclidean' | 'innerProduct';

export interface PgVectorStoreOptions {
	/** Connection settings for the `pg` client. */
	connection: PoolConfig;
	/** Created on first insert when missing (default agentic_memory). */
	tableName?: string;
	distance?: PgDistance;
}

const DISTANCES: Record<PgDistance, { operator: string; opclass: string; score: (d: string) => string }> = {
	cosine: { operator: '<=>', opclass: 'vector_cosine_ops', score: (d) => `1 - (${d})` },
	// pgvector's <#> is the negated inner product, so the score is its negation.
	innerProduct: { operator: '<#>', opclass: 'vector_ip_ops', score: (d) => `-(${d})` },
	euclidean: { operator: '<->', opclass: 'vector_l2_ops', score: (d) => `1 / (1 + (${d}))` },
};

const CREDENTIAL = 'Postgres Pgvector (Agentic) API';
/** Rows per INSERT statement: 500 rows of 5 parameters stay far below Postgres's 65,535 parameters. */
const ROWS_PER_INSERT = 500;

function toVector(vector: number[]): string {
	return `[${vector.join(',')}]`;
}

/** Turns a metadata filter into SQL over the jsonb column, with every value as a parameter. */
export function filterToSql(filter: MetadataFilter | undefined, params: unknown[]): string {
	const clauses: string[] = [];
	for (const [field, condition] of Object.entries(filter ?? {})) {
		params.push(field);
		const key = `$${params.length}::text`;
		const ops = conditionOperators(condition);
		if (ops.$eq !== undefined) {
			params.push(JSON.stringify(ops.$eq));
			clauses.push(`metadata -> ${key} = $${params.length}::jsonb`);
		}
		if (ops.$in !== undefined) {
			params.push(JSON.stringify(ops.$in));
			clauses.push(`metadata -> ${key} IN (SELECT jsonb_array_elements($${params.length}::jsonb))`);
		}
		const numeric = `(CASE WHEN jsonb_typeof(metadata -> ${key}) = 'number' THEN (metadata ->> ${key})::float8 END)`;
		for (const [op, sql] of [['$gt', '>'], ['$gte', '>='], ['$lt', '<'], ['$lte', '<=']] as const) {
			if (ops[op] !== undefined) {
				params.push(ops[op]);
				clauses.push(`${numeric} ${sql} $${params.length}::float8`);
			}
		}
	}
	return clauses.length ? clauses.join(' AND ') : 'TRUE';
}

export class PgVectorStore implements StoreBackend {
	readonly name = 'pgvector';
	private readonly pool: Pool;
	private readonly table: string;
	private readonly distance: PgDistance;
	private readonly where: string;

	constructor(options: PgVectorStoreOptions) {
		this.table = options.tableName ?? 'agentic_memory';
		if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.table)) {
			throw new AgenticError('invalid_input', `Invalid table name "${this.table}"`, {
				field: 'tableName',
				description: 'Use lower-case letters, digits and "_", starting with a letter.',
			});
		}
		this.distance = options.distance ?? 'cosine';
		this.pool = new Pool({ max: 4, connectionTimeoutMillis: 10_000, ...options.connection });
		// An idle client's network error must not crash the process; the next query reports it.
		this.pool.on('error', () => undefined);
		const c = options.connection;
		this.where = c.connectionString ? 'the configured connection string' : `${c.host ?? 'localhost'}:${c.port ?? 5432}`;
	}

	private async run<T>(work: () => Promise<T>): Promise<T> {
		let failure: unknown;
		try {
			return await work();
		} catch (error) {
			failure = error;
		}
		throw this.explain(failure);
	}

	/** Names the credential to fix when Postgres refuses the login or cannot be reached. */
	private explain(error: unknown): AgenticError {
		if (error instanceof AgenticError) return error;
		const e = error as { code?: string; message?: string };
		if (e.code === '28P01' || e.code === '28000') {
			return new AgenticError('auth', `Postgres refused the login: ${e.message}`, {
				field: CREDENTIAL,
				description: `Check the user and password in the "${CREDENTIAL}" credential.`,
			});
		}
		if (!e.code || /^(E[A-Z]+|08...)$/.test(e.code) || /timeout|terminated/i.test(e.message ?? '')) {
			return new AgenticError('upstream', `Postgres could not be reached at ${this.where}: ${e.message ?? e.code}`, {
				field: CREDENTIAL,
				description: `Check that Postgres is up and the host and port in the "${CREDENTIAL}" credential are right.`,
			});
		}
		if (/extension "?vector"?/i.test(e.message ?? '')) {
			return new AgenticError('upstream', `Postgres error ${e.code}: ${e.message}`, {
				field: CREDENTIAL,
				description: 'Install the pgvector extension on this Postgres (as a superuser: CREATE EXTENSION vector), or use a database that has it.',
				cause: error,
			});
		}
		return new AgenticError('upstream', `Postgres error ${e.code}: ${e.message}`, {
			field: 'tableName',
			description: `Postgres's own explanation is in the message. If the table "${this.table}" was made by something else, choose another Table Name; check the rights of the user in the "${CREDENTIAL}" credential.`,
			cause: error,
		});
	}

	private async tableDimensions(): Promise<number | null> {
		const result = await this.pool.query<{ dims: number; type: string }>(
			`SELECT a.atttypmod AS dims, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = 'embedding'`,
			[this.table],
		);
		if (result.rows.length === 0) return null;
		const { dims, type } = result.rows[0];
		if (!/^vector\(\d+\)$/.test(type) || !(Number(dims) > 0)) {
			throw new AgenticError('invalid_input', `The table "${this.table}" is not a Vector Memory table: its embedding column is ${type}, not vector(n)`, {
				field: 'tableName',
				description: 'Choose another Table Name; Vector Memory creates its own table there.',
			});
		}
		return Number(dims);
	}

	/** Runs `work` in one transaction on one pooled client: committed when it returns, rolled back when it throws. */
	private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
		const client = await this.pool.connect();
		let committed = false;
		try {
			await client.query('BEGIN');
			await work(client);
			await client.query('COMMIT');
			committed = true;
		} finally {
			if (!committed) await client.query('ROLLBACK').catch(() => undefined);
			client.release();
		}
	}

	private async ensureTable(dims: number) {
		const { opclass } = DISTANCES[this.distance];
		await this.transaction(async (client) => {
			// Two first writers at once would collide inside CREATE ... IF NOT EXISTS (duplicate key in the catalog):
			// one transaction-scoped advisory lock per table makes the second wait, then find everything there.
			await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`n8n-nodes-agentic:${this.table}`]);
			await client.query('CREATE EXTENSION IF NOT EXISTS vector');
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${this.table} (
					namespace text NOT NULL, id text NOT NULL, text text NOT NULL,
					metadata jsonb NOT NULL DEFAULT '{}', embedding vector(${dims}) NOT NULL,
					PRIMARY KEY (namespace, id))`,
			);
			// HNSW indexes stop at 2000 dimensions for vector; larger embeddings are searched exactly.
			if (dims <= 2000) {
				await client.query(`CREATE INDEX IF NOT EXISTS ${this.table}_${this.distance.toLowerCase()}_hnsw ON ${this.table} USING hnsw (embedding ${opclass})`);
			}
		});
	}

	async insert(namespace: string, records: VectorRecord[]): Promise<void> {
		if (records.length === 0) return;
		await this.run(async () => {
			const dims = records[0].vector.length;
			const existing = await this.tableDimensions();
			if (existing === null) await this.ensureTable(dims);
			else if (existing !== dims) throw dimensionMismatch(dims, existing, `table ${this.table}`, 'another Table Name');
			await this.transaction(async (client) => {
				for (const batch of sizeLimitedBatches(records, { maxItems: ROWS_PER_INSERT })) {
					const params: unknown[] = [];
					const rows = batch.map((r) => {
						params.push(namespace, r.id, r.text, JSON.stringify(r.metadata), toVector(r.vector));
						const n = params.length;
						return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}::jsonb, $${n}::vector)`;
					});
					await client.query(
						`INSERT INTO ${this.table} (namespace, id, text, metadata, embedding) VALUES ${rows.join(', ')}
						 ON CONFLICT (namespace, id) DO UPDATE SET text = EXCLUDED.text, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding`,
						params,
					);
				}
			});
		});
	}

	async search(namespace: string, { vector, topK, filter }: SearchRequest): Promise<SearchHit[]> {
		return this.run(async () => {
			if ((await this.tableDimensions()) === null) return [];
			const { operator, score } = DISTANCES[this.distance];
			const params: unknown[] = [toVector(vector), namespace];
			const where = filterToSql(filter, params);
			params.push(topK);
			const distance = `embedding ${operator} $1::vector`;
			const result = await this.pool.query<{ id: string; text: string; metadata: Record<string, never>; score: number }>(
				`SELECT id, text, metadata, ${score(distance)} AS score FROM ${this.table}
				 WHERE namespace = $2 AND ${where} ORDER BY ${distance} LIMIT $${params.length}`,
				params,
			);
			return result.rows.map((r) => ({ id: r.id, text: r.text, metadata: r.metadata, score: Number(r.score) }));
		});
	}

	async delete(namespace: string, selector: { ids?: string[]; filter?: MetadataFilter }): Promise<number> {
		return this.run(async () => {
			if ((await this.tableDimensions()) === null) return 0;
			const params: unknown[] = [namespace];
			const parts: string[] = [];
			if (selector.ids?.length) {
				params.push(selector.ids);
				parts.push(`id = ANY($${params.length}::text[])`);
			}
			if (selector.filter) parts.push(`(${filterToSql(selector.filter, params)})`);
			const result = await this.pool.query(`DELETE FROM ${this.table} WHERE namespace = $1 AND (${parts.join(' OR ')})`, params);
			return result.rowCount ?? 0;
		});
	}

	async clear(namespace: string): Promise<void> {
		await this.run(async () => {
			if ((await this.tableDimensions()) === null) return;
			await this.pool.query(`DELETE FROM ${this.table} WHERE namespace = $1`, [namespace]);
		});
	}

	async stats(namespace: string): Promise<NamespaceStats> {
		return this.run(async () => {
			const dimensions = await this.tableDimensions();
			if (dimensions === null) return { count: 0, dimensions: null };
			const result = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE namespace = $1`, [namespace]);
			return { count: Number(result.rows[0].n), dimensions };
		});
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
