// A real Chroma server from npm (`chroma run`, chromadb 3.0.6 with its linux bindings) on a temp folder and a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface ChromaServer {
	url: string;
	child: ChildProcess;
	/** Where it keeps its data. */
	dir: string;
	/** Stops the server and deletes its data folder. */
	stop(): Promise<void>;
}

export async function startChromaServer(timeoutMs = 30_000): Promise<ChromaServer> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'memory-chroma-'));
	const bin = join(__dirname, '..', '..', 'node_modules', '.bin', 'chroma');
	const child = spawn(bin, ['run', '--path', dir, '--port', String(port)], { stdio: 'ignore' });
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			if ((await fetch(`${url}/api/v2/heartbeat`)).ok) break;
		} catch {
			// Not listening yet.
		}
		if (Date.now() > deadline || child.exitCode !== null) {
			await stop();
			throw new Error(`the Chroma server did not answer on ${url} within ${Math.round(timeoutMs / 1000)} s`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return { url, child, dir, stop };
}
