// Postgres with pgvector in its own process: PGlite (Postgres compiled to WebAssembly, with the real pgvector extension)
// behind pglite-socket's wire-protocol server, for store tests that need no Postgres installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './ports';

export interface PgliteServer {
	host: string;
	port: number;
	child: ChildProcess;
	/** Stops the server (its database lives in memory and goes with it). */
	stop(): Promise<void>;
}

/** Its own process because PGlite loads itself with dynamic import(), which Jest's module sandbox does not allow. */
export async function startPgliteServer(): Promise<PgliteServer> {
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
	return {
		host: '127.0.0.1',
		port,
		child,
		stop: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			// Nothing to keep: its data goes either way.
			child.kill('SIGKILL');
			await exited;
		},
	};
}
