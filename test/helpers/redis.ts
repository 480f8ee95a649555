// Starts a throwaway real Redis (Debian's redis-server) on a free loopback port, with no persistence left behind.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';

export interface RedisServer {
	host: string;
	port: number;
	/** Stops it (SIGKILL when `hard`, as a crash would) and removes its working folder. */
	stop(options?: { hard?: boolean }): Promise<void>;
	/** Stops it and starts it again on the same port: whatever it held in memory is gone, as after a restart. */
	restart(): Promise<void>;
}

/** Why a real Redis cannot start here (what to install), or undefined when it can. */
export function redisMissing(): string | undefined {
	return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'no redis-server (apt-get install redis-server)';
}

async function ping(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.end();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
	});
}

export async function startRedis(): Promise<RedisServer> {
	const missing = redisMissing();
	if (missing) throw new Error(`real Redis cannot start: ${missing}`);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentic-redis-'));
	const port = await freePort();
	let child: ReturnType<typeof spawn> | undefined;
	let output = '';
	const launch = async () => {
		child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
		child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
		const until = Date.now() + 15_000;
		while (!(await ping(port))) {
			if (child.exitCode !== null || Date.now() > until) throw new Error(`redis-server did not start on ${port}: ${output.slice(-800)}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	};
	const halt = async (hard = false) => {
		const running = child;
		if (!running || running.exitCode !== null) return;
		const exited = new Promise((resolve) => running.once('exit', resolve));
		running.kill(hard ? 'SIGKILL' : 'SIGTERM');
		await exited;
	};
	await launch();
	return {
		host: '127.0.0.1',
		port,
		stop: async ({ hard = false } = {}) => {
			await halt(hard);
			fs.rmSync(dir, { recursive: true, force: true });
		},
		restart: async () => {
			await halt(true);
			await launch();
		},
	};
}
