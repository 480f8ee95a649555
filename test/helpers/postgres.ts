// Starts a throwaway real Postgres cluster (Debian's postgresql-15, pgvector built from source) on a free port, and removes it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';

export interface PostgresServer {
	host: string;
	port: number;
	user: string;
	database: string;
	/** Set when the server was started with one: connections over TCP must then log in with it. */
	password?: string;
	/** `postgres://user@127.0.0.1:port/database` (with the password, when there is one). */
	url: string;
	/** Stops the server and deletes its data and socket folders. */
	stop(): Promise<void>;
}

const SEARCHED = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/** The folder holding initdb and postgres, or undefined when no Postgres server is installed. */
export function postgresBinDir(): string | undefined {
	const fromEnv = process.env.AGENTIC_PG_BINDIR;
	for (const dir of fromEnv ? [fromEnv, ...SEARCHED] : SEARCHED) {
		if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'))) return dir;
	}
	return undefined;
}

/** Why a real Postgres with pgvector cannot start here (what to install), or undefined when it can. */
export function postgresMissing(): string | undefined {
	const bin = postgresBinDir();
	if (!bin) return 'no Postgres server (apt-get install postgresql-15)';
	const share = execFileSync(path.join(bin, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).trim();
	if (!fs.existsSync(path.join(share, 'extension', 'vector.control'))) {
		return `pgvector is not installed into ${share} (build ../shared/vendor/pgvector-0.8.6.tar.gz: make && make install; .ci/run does it)`;
	}
	return undefined;
}

/** Postgres refuses to run as root: as root, commands run as the `postgres` system user. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
	return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log().slice(-800)}`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect(port, '127.0.0.1', () => {
				socket.end();
				resolve(true);
			});
			socket.on('error', () => resolve(false));
		});
		if (open) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`postgres did not listen on ${port} within ${timeoutMs} ms: ${log().slice(-800)}`);
}

/**
 * initdb into a temp folder (trust auth, no fsync: test data need not survive a power cut), postgres on a free
 * loopback port with its socket under the same folder, then `CREATE EXTENSION vector` when asked. With `password`,
 * TCP logins need it (scram-sha-256), as on a real server, so a wrong password is refused.
 */
export async function startPostgres(options: { vector?: boolean; password?: string } = {}): Promise<PostgresServer> {
	const bin = postgresBinDir();
	const missing = postgresMissing();
	if (!bin || (options.vector !== false && missing)) throw new Error(`real Postgres cannot start: ${missing}`);
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentic-pg-'));
	const dataDir = path.join(root, 'data');
	const socketDir = path.join(root, 'socket');
	fs.mkdirSync(socketDir);
	const auth = ['-A', 'trust'];
	if (options.password !== undefined) {
		fs.writeFileSync(path.join(root, 'pwfile'), `${options.password}\n`);
		auth.splice(0, 2, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${path.join(root, 'pwfile')}`);
	}
	if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', root]);
	const [initCmd, initArgs] = asServerUser(path.join(bin, 'initdb'), ['-D', dataDir, ...auth, '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
	execFileSync(initCmd, initArgs, { stdio: 'pipe' });
	const port = await freePort();
	const [cmd, args] = asServerUser(path.join(bin, 'postgres'), [
		'-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
		'-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
	]);
	const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
	child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
	const stop = async () => {
		if (child.exitCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			try {
				process.kill(-child.pid!, 'SIGINT'); // fast shutdown: sessions end, nothing is kept
			} catch {
				// already gone
			}
			let timer: NodeJS.Timeout | undefined;
			// The timer is cleared once the server is gone, so it cannot hold the test process open for its 10 s.
			await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]).finally(() => clearTimeout(timer));
			if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
		}
		fs.rmSync(root, { recursive: true, force: true });
	};
	try {
		await waitForPort(port, child, () => output);
		const login = options.password === undefined ? 'postgres' : `postgres:${encodeURIComponent(options.password)}`;
		const server: PostgresServer = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres', password: options.password, url: `postgres://${login}@127.0.0.1:${port}/postgres`, stop };
		if (options.vector !== false) await query(server, 'CREATE EXTENSION IF NOT EXISTS vector');
		return server;
	} catch (error) {
		await stop();
		throw error;
	}
}

/** One statement on a fresh connection (for set-up and for looking at what a store wrote). */
export async function query<T = Record<string, unknown>>(server: PostgresServer, sql: string, params: unknown[] = []): Promise<T[]> {
	const { Client } = await import('pg');
	const client = new Client({ host: server.host, port: server.port, user: server.user, database: server.database, password: server.password });
	await client.connect();
	try {
		return (await client.query(sql, params)).rows as T[];
	} finally {
		await client.end();
	}
}
