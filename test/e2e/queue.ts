// n8n in queue mode, as a scaled-out deployment runs it: real Postgres (n8n's database) and Redis (the queue), a main
// instance taking webhooks and `n8n worker` processes, each with its own user folder (as separate hosts have) and this
// package installed in each, one encryption key, binary data in the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPostgres, type PostgresServer } from '../helpers/postgres';
import { startRedis, type RedisServer } from '../helpers/redis';
import { cachedNodesDir } from './communityPackage';
import { DEFAULT_OWNER, freePort, N8nClient, n8nEnv, stopProcessGroup, type CredentialSpec, type WorkflowSpec } from './harness';
import { ensureRuntime, type N8nRuntime } from './runtime';

export interface QueueProcess {
	name: string;
	userFolder: string;
	logFile: string;
	pid: number;
	logTail(chars?: number): string;
	/** SIGTERM, then SIGKILL after a grace period: n8n's own graceful shutdown. */
	stop(): Promise<void>;
	/** SIGKILL of the whole process group, as when a host dies. */
	kill(): Promise<void>;
}

export interface QueueDeployment {
	runtime: N8nRuntime;
	postgres: PostgresServer;
	redis: RedisServer;
	/** The settings every instance shares (also what the README's docker-compose file sets). */
	sharedEnv: Record<string, string>;
	main: QueueProcess & {
		url: string;
		client: N8nClient;
		workflowIds: Record<string, string>;
		credentialIds: Record<string, string>;
		/** Calls a production webhook on main (a JSON body unless a Buffer/string with its content type), waiting out the 404 of a webhook that is still registering. */
		webhook(path: string, body: unknown, options?: { contentType?: string; timeoutMs?: number }): Promise<QueueResponse>;
		/** The newest executions of a workflow (by name), newest first. */
		executions(workflowName: string): Promise<Array<{ id: string; status: string; mode: string }>>;
	};
	workers: QueueProcess[];
	/** Starts one more worker (a new host). */
	addWorker(): Promise<QueueProcess>;
	/** Stops every process and removes every folder, database and queue. */
	stop(): Promise<void>;
}

export interface QueueResponse {
	/** 0 when no answer came within the time limit (body `{ failed: "TimeoutError" }`). */
	status: number;
	body: Record<string, any>;
}

export interface QueueOptions {
	workers?: number;
	/** Created on main before the workflows; a function gets the deployment's own Postgres (for a credential on it). */
	credentials?: CredentialSpec[] | ((postgres: PostgresServer) => CredentialSpec[]);
	workflows?: WorkflowSpec[];
	/** Extra environment for every instance. */
	env?: Record<string, string>;
	log?: (line: string) => void;
}

function tailOf(file: string, chars = 4000): string {
	try {
		const text = fs.readFileSync(file, 'utf8');
		return text.slice(-chars);
	} catch {
		return '(no log)';
	}
}

async function spawnInstance(runtime: N8nRuntime, name: string, command: 'start' | 'worker', env: Record<string, string>, nodesDir: string) {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-queue-${name}-`));
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	fs.symlinkSync(nodesDir, path.join(userFolder, '.n8n', 'nodes'), 'dir');
	const [port, brokerPort] = [await freePort(), await freePort()];
	const logFile = path.join(userFolder, 'n8n.log');
	const fd = fs.openSync(logFile, 'a');
	const child: ChildProcess = spawn(runtime.nodeBin, [runtime.n8nBin, command], {
		cwd: userFolder,
		env: n8nEnv(runtime, { userFolder, port, brokerPort, extra: { ...runtime.env, ...env } }),
		detached: true,
		stdio: ['ignore', fd, fd],
	});
	fs.closeSync(fd);
	const killOnExit = () => {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// gone
		}
	};
	process.once('exit', killOnExit);
	let exited: string | undefined;
	child.on('exit', (code, signal) => {
		exited = `${name} exited (${signal ?? `code ${code}`})`;
		process.removeListener('exit', killOnExit);
	});
	const proc: QueueProcess = {
		name,
		userFolder,
		logFile,
		pid: child.pid!,
		logTail: (chars) => tailOf(logFile, chars),
		stop: async () => {
			await stopProcessGroup(child, 20_000);
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
		kill: async () => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// gone
			}
			await stopProcessGroup(child, 1000);
		},
	};
	return { proc, port, exitedWhy: () => exited };
}

async function waitForLog(proc: QueueProcess, pattern: RegExp, exitedWhy: () => string | undefined, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!pattern.test(proc.logTail(200_000))) {
		const why = exitedWhy();
		if (why || Date.now() > deadline) throw new Error(`${why ?? `${proc.name} not ready within ${timeoutMs / 1000} s`}\n--- ${proc.name} log ---\n${proc.logTail()}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

export async function startN8nQueue(options: QueueOptions = {}): Promise<QueueDeployment> {
	const log = options.log ?? ((line: string) => process.stderr.write(`[n8n queue] ${line}\n`));
	const runtime = await ensureRuntime({ log });
	const nodesDir = await cachedNodesDir(log);
	const postgres = await startPostgres();
	const redis = await startRedis();
	const started: QueueProcess[] = [];
	const sharedEnv: Record<string, string> = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		// Filesystem binary data is not supported in queue mode: a photo posted to main must reach the worker.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		...options.env,
	};
	const cleanup = async () => {
		for (const proc of started) await proc.stop().catch(() => undefined);
		await redis.stop().catch(() => undefined);
		await postgres.stop().catch(() => undefined);
	};
	try {
		const main = await spawnInstance(runtime, 'main', 'start', sharedEnv, nodesDir);
		started.push(main.proc);
		const url = `http://127.0.0.1:${main.port}`;
		const client = new N8nClient(url, runtime.n8nMajor);
		await client.waitReady(180_000, main.exitedWhy, () => main.proc.logTail(200_000).includes('Editor is now accessible'));
		const loadFailure = /Failed to load package "n8n-nodes-agentic"[^\n]*(\n[^\n]*){0,4}/.exec(main.proc.logTail(200_000));
		if (loadFailure) throw new Error(`n8n did not load this package: ${loadFailure[0]}`);
		let workerNo = 0;
		const workers: QueueProcess[] = [];
		const addWorker = async () => {
			const worker = await spawnInstance(runtime, `worker-${++workerNo}`, 'worker', sharedEnv, nodesDir);
			started.push(worker.proc);
			await waitForLog(worker.proc, /n8n worker is now ready/, worker.exitedWhy);
			workers.push(worker.proc);
			return worker.proc;
		};
		for (let i = 0; i < (options.workers ?? 2); i++) await addWorker();
		await client.signIn(DEFAULT_OWNER);
		const credentialIds: Record<string, string> = {};
		const workflowIds: Record<string, string> = {};
		const credentials = typeof options.credentials === 'function' ? options.credentials(postgres) : (options.credentials ?? []);
		for (const spec of credentials) credentialIds[spec.name] = await client.createCredential(spec);
		for (const spec of options.workflows ?? []) {
			const { id, versionId } = await client.createWorkflow(spec, credentialIds);
			workflowIds[spec.name] = id;
			if (spec.active !== false) await client.publishWorkflow(id, versionId);
		}
		const webhook = async (path: string, body: unknown, { contentType, timeoutMs = 60_000 }: { contentType?: string; timeoutMs?: number } = {}) => {
			const raw = Buffer.isBuffer(body) || typeof body === 'string';
			for (let attempt = 0; ; attempt++) {
				const res = await fetch(`${url}/webhook/${path}`, {
					method: 'POST',
					headers: { 'content-type': contentType ?? 'application/json' },
					body: raw ? (body as Buffer | string) : JSON.stringify(body),
					signal: AbortSignal.timeout(timeoutMs),
				}).catch((error: Error) => ({ failed: String(error?.name ?? error) }));
				// (Not `instanceof Error`: a timeout is a DOMException, and under Jest it comes from another realm.)
				if ('failed' in res) return { status: 0, body: { failed: res.failed } };
				if (res.status === 404 && attempt < 40) {
					await new Promise((r) => setTimeout(r, 500));
					continue;
				}
				const text = await res.text();
				try {
					return { status: res.status, body: JSON.parse(text) as Record<string, any> };
				} catch {
					return { status: res.status, body: { text } };
				}
			}
		};
		const executions = async (workflowName: string) => {
			const filter = encodeURIComponent(JSON.stringify({ workflowId: workflowIds[workflowName] }));
			return ((await client.rest('GET', `/executions?filter=${filter}&limit=50`)).results ?? []) as Array<{ id: string; status: string; mode: string }>;
		};
		return {
			runtime,
			postgres,
			redis,
			sharedEnv,
			main: { ...main.proc, url, client, workflowIds, credentialIds, webhook, executions },
			workers,
			addWorker,
			stop: cleanup,
		};
	} catch (error) {
		await cleanup();
		throw error;
	}
}

/** Which worker ran an execution, from the workers' logs ("Worker started execution N"). */
export function workerOf(deployment: QueueDeployment, executionId: string): string | undefined {
	const pattern = new RegExp(`Worker started execution ${executionId}\\b`);
	return deployment.workers.find((w) => pattern.test(w.logTail(500_000)))?.name;
}
