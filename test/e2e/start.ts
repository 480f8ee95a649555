// `npm start`: runs a real n8n on http://localhost:5678 with this package installed and every workflow in workflows/ imported.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensurePackageInstalled, PACKAGE_NAME } from './communityPackage';
import { DEFAULT_OWNER, freePort, N8nClient, n8nEnv, stopProcessGroup, type WorkflowSpec } from './harness';
import { ensureRuntime, N8N_VERSION, REPO_ROOT } from './runtime';

const say = (line: string) => console.log(`[start] ${line}`);

async function portIsFree(port: number): Promise<boolean> {
	const net = await import('node:net');
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, () => server.close(() => resolve(true)));
	});
}

function readWorkflows(): Array<{ file: string; spec: WorkflowSpec }> {
	const dir = path.join(REPO_ROOT, 'workflows');
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			try {
				return { file, spec: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as WorkflowSpec };
			} catch (error) {
				throw new Error(`workflows/${file} is not valid JSON: ${(error as Error).message}`);
			}
		});
}

async function main(): Promise<void> {
	const owner = {
		email: process.env.N8N_OWNER_EMAIL || DEFAULT_OWNER.email,
		password: process.env.N8N_OWNER_PASSWORD || DEFAULT_OWNER.password,
	};
	const port = Number(process.env.N8N_PORT || 5678);
	if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`N8N_PORT=${process.env.N8N_PORT} is not a port number`);
	if (!(await portIsFree(port))) throw new Error(`port ${port} is in use: stop what runs there or set N8N_PORT to another port`);

	const runtime = await ensureRuntime(say);
	const userFolder = path.join(REPO_ROOT, '.n8n-data');
	const installed = await ensurePackageInstalled(path.join(userFolder, '.n8n', 'nodes'), say);
	say(installed ? `${PACKAGE_NAME} installed from this build.` : `${PACKAGE_NAME} is up to date with this build.`);

	// n8n's own settings given by the user pass through (owner settings are ours, not n8n's).
	const userN8nEnv = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => /^(N8N_|DB_|EXECUTIONS_|GENERIC_|WEBHOOK_URL$)/.test(key) && !key.startsWith('N8N_OWNER_')),
	) as Record<string, string>;
	const brokerPort = Number(process.env.N8N_RUNNERS_BROKER_PORT) || ((await portIsFree(5679)) ? 5679 : await freePort());
	const env = n8nEnv(runtime, {
		userFolder,
		port,
		brokerPort,
		extra: { ...userN8nEnv, N8N_PORT: String(port) },
	});
	// n8n's own default address (all interfaces) unless the user chose one.
	if (!process.env.N8N_LISTEN_ADDRESS) delete env.N8N_LISTEN_ADDRESS;

	say(`Starting n8n ${N8N_VERSION} (data in ${path.relative(REPO_ROOT, userFolder)}/)...`);
	const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], { cwd: userFolder, env, detached: true, stdio: 'inherit' });
	let exited: string | undefined;
	const done = new Promise<number>((resolve) => {
		child.on('exit', (code, signal) => {
			exited = `n8n exited (${signal ?? `code ${code}`})`;
			resolve(code ?? (signal ? 1 : 0));
		});
	});
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		say(`${signal}: stopping n8n...`);
		void stopProcessGroup(child).catch((error) => console.error(`[start] ${(error as Error).message}`));
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGHUP', () => stop('SIGHUP'));

	try {
		const client = new N8nClient(`http://127.0.0.1:${port}`);
		await client.waitReady(10 * 60_000, () => exited);
		const signedIn = await client.signIn(owner).catch((error: Error) => {
			throw new Error(
				`could not sign in as ${owner.email}: the owner account exists with another password; set N8N_OWNER_EMAIL/N8N_OWNER_PASSWORD to it (${error.message.slice(0, 120)})`,
			);
		});
		if (signedIn === 'created') say(`Owner account created: ${owner.email}`);

		const existing: Array<{ name: string }> = (await client.rest('GET', '/workflows?limit=500')) ?? [];
		const names = new Set(existing.map((w) => w.name));
		for (const { file, spec } of readWorkflows()) {
			if (names.has(spec.name)) continue;
			try {
				await client.createWorkflow({ ...spec, active: false }, {}, { keepUnknownCredentials: true });
				say(`Imported workflows/${file} ("${spec.name}")`);
			} catch (error) {
				say(`Could not import workflows/${file}: ${(error as Error).message.slice(0, 300)}`);
			}
		}
		say(`n8n is ready: open http://localhost:${port} and log in as ${owner.email} / ${owner.password === DEFAULT_OWNER.password ? owner.password : '(N8N_OWNER_PASSWORD)'}`);
		say('Ctrl-C stops it.');
	} catch (error) {
		if (!stopping) {
			console.error(`[start] ${(error as Error).message}`);
			stop('setup failed');
		}
	}
	process.exitCode = await done;
}

main().catch((error: Error) => {
	console.error(`[start] npm start failed: ${error.message}`);
	process.exit(1);
});
