// Conversation memory in a Postgres table that every n8n instance and worker shares: one append-only row per turn.
import type { ClientConfig, Pool, PoolClient } from 'pg';
import { AgenticError } from '../../shared/errors';
import { DEFAULT_KEEP_TURNS, type ConversationStore } from './memory';
import type { ChatMessage } from './types';

/** The n8n credential that holds the connection; named in every error the user can fix there. */
export const CONVERSATION_STORE_CREDENTIAL = 'Postgres';
export const DEFAULT_CONVERSATION_TABLE = 'agentic_conversation_turns';
/** A turn larger than this is refused (nothing is written): Postgres keeps a jsonb value up to 255 MB, but every run reads it. */
export const MAX_TURN_BYTES = 16 * 1024 * 1024;

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Tables this process has created or found, by server, database and name: every execution opens its own store, and
 * the CREATE … IF NOT EXISTS transaction under the advisory lock needs to run once per process, not once per execution.
 */
const readyTables = new Map<string, Promise<void>>();

export interface PostgresConversationStoreOptions {
	connection: ClientConfig;
	/** Default agentic_conversation_turns. Lower-case letters, digits and "_". */
	tableName?: string;
	/** Largest turn in bytes of JSON (default 16 MB). */
	maxTurnBytes?: number;
	/** The name of the credential the connection came from (in n8n, the one set on the node), named in errors to fix there. */
	credentialName?: string;
}

/**
 * Each turn is one INSERT (no read-modify-write), so concurrent executions on one session, on any worker, all keep
 * their turns; a crash mid-run writes nothing, since the row goes in whole or not at all. The table and its index are
 * created on first use under an advisory lock, so two first writers both succeed.
 */
export class PostgresConversationStore implements ConversationStore {
	readonly tableName: string;
	private readonly maxTurnBytes: number;
	private pool?: Promise<Pool>;

	constructor(private readonly options: PostgresConversationStoreOptions) {
		this.tableName = (options.tableName ?? DEFAULT_CONVERSATION_TABLE).trim();
		if (!TABLE_NAME.test(this.tableName)) {
			throw new AgenticError('invalid_input', `The Conversation Table "${this.tableName}" is not a valid table name`, {
				description: 'Use 1 to 63 lower-case letters, digits or "_", starting with a letter or "_", e.g. agentic_conversation_turns.',
			});
		}
		this.maxTurnBytes = options.maxTurnBytes ?? MAX_TURN_BYTES;
	}

	async load(sessionId: string, lastTurns: number): Promise<ChatMessage[]> {
		if (lastTurns <= 0) return [];
		const rows = await this.run<{ messages: ChatMessage[] }>(
			`SELECT messages FROM ${this.tableName} WHERE session_id = $1 ORDER BY id DESC LIMIT $2`,
			[sessionId, Math.floor(lastTurns)],
		);
		return rows.reverse().flatMap((row) => row.messages);
	}

	/** Every turn stored for the session, oldest first (for inspection and tests). */
	async turns(sessionId: string): Promise<ChatMessage[][]> {
		const rows = await this.run<{ messages: ChatMessage[] }>(`SELECT messages FROM ${this.tableName} WHERE session_id = $1 ORDER BY id`, [sessionId]);
		return rows.map((row) => row.messages);
	}

	async append(sessionId: string, turn: ChatMessage[], keepTurns = DEFAULT_KEEP_TURNS): Promise<void> {
		if (turn.length === 0) return;
		const json = JSON.stringify(turn);
		const bytes = Buffer.byteLength(json, 'utf8');
		if (bytes > this.maxTurnBytes) {
			throw new AgenticError('invalid_input', `This turn is ${(bytes / 1024 / 1024).toFixed(1)} MB, more than the Conversation Store keeps in one turn (${(this.maxTurnBytes / 1024 / 1024).toFixed(0)} MB)`, {
				description: 'Nothing was stored and the earlier turns are untouched. Make tool results smaller (e.g. fewer search results or no raw page content).',
			});
		}
		const keep = Math.max(1, Math.floor(keepTurns) || DEFAULT_KEEP_TURNS);
		await this.run(`INSERT INTO ${this.tableName} (session_id, messages) VALUES ($1, $2::jsonb)`, [sessionId, json]);
		// Only rows older than the newest `keep` go; a concurrent writer's new row is never among them.
		await this.run(
			`DELETE FROM ${this.tableName} WHERE session_id = $1 AND id <= (SELECT id FROM ${this.tableName} WHERE session_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
			[sessionId, keep],
		);
	}

	async close(): Promise<void> {
		const pool = this.pool;
		this.pool = undefined;
		if (pool) await pool.then((p) => p.end()).catch(() => undefined);
	}

	private async connect(): Promise<Pool> {
		this.pool ??= (async () => {
			const pg = await import('pg').catch((error: unknown) =>
				Promise.reject(
					new AgenticError('internal', `The Postgres client (pg) could not load: ${(error as Error).message}`, {
						description: 'Reinstall n8n-nodes-agentic in the n8n nodes folder, or choose "Files on this n8n server" as the Conversation Store.',
					}),
				),
			);
			const pool = new pg.Pool({ ...this.options.connection, max: 4, connectionTimeoutMillis: 10_000 });
			pool.on('error', () => undefined); // an idle client losing its server must not crash n8n; the next query reports it
			return pool;
		})();
		return this.pool;
	}

	private get tableKey(): string {
		const { host, port, database } = this.options.connection;
		return `${String(host)}:${String(port)}/${String(database)}/${this.tableName}`;
	}

	private ensureTable(client: PoolClient): Promise<void> {
		const key = this.tableKey;
		const known = readyTables.get(key);
		if (known) return known;
		const ready = (async () => {
			await client.query('BEGIN');
			await this.createTable(client).catch(async (error: unknown) => {
				await client.query('ROLLBACK').catch(() => undefined);
				return Promise.reject(error);
			});
		})().catch((error) => {
			readyTables.delete(key);
			throw error;
		});
		readyTables.set(key, ready);
		return ready;
	}

	private async run<T>(sql: string, params: unknown[]): Promise<T[]> {
		const pool = await this.connect();
		let client: PoolClient;
		try {
			client = await pool.connect();
		} catch (error) {
			throw explainPostgresError(error, { tableName: this.tableName, credentialName: this.options.credentialName });
		}
		try {
			await this.ensureTable(client);
			return await client.query(sql, params).then(
				(result) => result.rows as T[],
				(error: unknown) => this.againIfTableDropped<T>(client, sql, params, error),
			);
		} catch (error) {
			throw explainPostgresError(error, { tableName: this.tableName, credentialName: this.options.credentialName });
		} finally {
			client.release();
		}
	}

	/** Inside the transaction ensureTable opened: the table and its index, created by one writer at a time. */
	private async createTable(client: PoolClient): Promise<void> {
		await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`agentic_conversation:${this.tableName}`]);
		await client.query(
			`CREATE TABLE IF NOT EXISTS ${this.tableName} (id bigserial PRIMARY KEY, session_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), messages jsonb NOT NULL)`,
		);
		await client.query(`CREATE INDEX IF NOT EXISTS ${this.tableName}_session_idx ON ${this.tableName} (session_id, id)`);
		await client.query('COMMIT');
	}

	/** The table was dropped since this process created it: create it again, once. Any other failure stands. */
	private async againIfTableDropped<T>(client: PoolClient, sql: string, params: unknown[], error: unknown): Promise<T[]> {
		if ((error as { code?: string }).code !== '42P01') return Promise.reject(error);
		readyTables.delete(this.tableKey);
		await this.ensureTable(client);
		return (await client.query(sql, params)).rows as T[];
	}

}

/** A pg failure as the user can act on it: what went wrong, in which credential (by its name when known) to fix it, never a password. */
export function explainPostgresError(error: unknown, store: { tableName: string; credentialName?: string }): AgenticError {
	if (error instanceof AgenticError) return error;
	const { code, message } = error as { code?: string; message?: string };
	const detail = message ?? String(error);
	const credential = `"${store.credentialName?.trim() || CONVERSATION_STORE_CREDENTIAL}" credential`;
	if (code === '28P01' || code === '28000') {
		// Under Continue On Fail n8n keeps only the message, so the credential to fix is named there too.
		return new AgenticError('auth', `The Conversation Store (Postgres) refused the login of the ${credential}: ${detail}`, {
			description: `Check the user and password in the ${credential} of the Conversation Store.`,
			cause: error,
		});
	}
	if (code === '3D000') {
		return new AgenticError('invalid_input', `The Conversation Store's database does not exist: ${detail}`, {
			description: `Check the database in the ${credential} of the Conversation Store.`,
			cause: error,
		});
	}
	if (code === '42501') {
		return new AgenticError('invalid_input', `The Conversation Store may not use the table "${store.tableName}": ${detail}`, {
			description: `Grant the user of the ${credential} CREATE on the schema (or create the table first), or pick another Conversation Table.`,
			cause: error,
		});
	}
	const unreachable = !code || /^(08|57P)/.test(code) || /ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|timeout/i.test(detail);
	return new AgenticError(unreachable ? 'upstream' : 'internal', `The Conversation Store (Postgres) ${unreachable ? 'could not be reached' : 'failed'}: ${detail}`, {
		description: `Check the host, port and database in the ${credential} of the Conversation Store, and that the server is up.`,
		cause: error,
	});
}
