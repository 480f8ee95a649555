// Installs this package into an n8n user folder the way n8n 2.41 installs a community package, so its node types are `n8n-nodes-agentic.*`.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { npmErrorLine, REPO_ROOT, run, runtimeCacheRoot, SetupError, withLock } from './runtime';

const npmBin = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const PACKAGE_NAME: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).name;

export interface PackedPackage {
	tarball: string;
	/** sha256 of the tarball; npm pack fixes file times, so it changes only when the contents do. */
	sha256: string;
}

/** Packs the built package (`npm pack`), as it would be published. */
export async function packPackage(): Promise<PackedPackage> {
	if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'package.json')) && !fs.existsSync(path.join(REPO_ROOT, 'dist', 'index.js'))) {
		throw new SetupError('dist/ is missing: run `npm run build` first');
	}
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'agentic-pack-'));
	const packed = await run(npmBin, ['pack', '--pack-destination', dest, '--silent'], { cwd: REPO_ROOT });
	const name = packed.output.trim().split('\n').at(-1)?.trim() ?? '';
	const tarball = path.join(dest, name);
	if (packed.code !== 0 || !name.endsWith('.tgz') || !fs.existsSync(tarball)) {
		throw new SetupError(`npm pack failed: ${npmErrorLine(packed.output)}`);
	}
	return { tarball, sha256: createHash('sha256').update(fs.readFileSync(tarball)).digest('hex') };
}

/**
 * Installs the tarball into `nodesDir` (n8n's `$N8N_USER_FOLDER/.n8n/nodes`) exactly as n8n's CommunityPackagesService does:
 * unpack into node_modules/<name>, drop dev/peer/optional dependencies from its package.json (so n8n-workflow comes
 * from n8n itself), `npm install` its dependencies inside it without scripts, and list it in nodes/package.json.
 * n8n scans nodes/node_modules/n8n-nodes-* at start, so no database registration is needed to load the nodes.
 */
export async function installPackage(nodesDir: string, packed: PackedPackage): Promise<void> {
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	const untar = await run('tar', ['-xzf', packed.tarball, '-C', packageDir, '--strip-components=1'], { cwd: nodesDir });
	if (untar.code !== 0) throw new SetupError(`could not unpack ${packed.tarball}: ${npmErrorLine(untar.output)}`);

	const manifestPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	void devDependencies;
	void peerDependencies;
	void optionalDependencies;
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	const install = await run(
		npmBin,
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
		{ cwd: packageDir, logFile: path.join(nodesDir, 'install.log') },
	);
	if (install.code !== 0) {
		throw new SetupError(`npm could not install the dependencies of ${PACKAGE_NAME}: ${npmErrorLine(install.output)}`);
	}

	const listPath = path.join(nodesDir, 'package.json');
	const list = fs.existsSync(listPath) ? JSON.parse(fs.readFileSync(listPath, 'utf8')) : { name: 'installed-nodes', private: true };
	list.dependencies = { ...list.dependencies, [PACKAGE_NAME]: manifest.version };
	fs.writeFileSync(listPath, JSON.stringify(list, null, 2));
	fs.writeFileSync(path.join(nodesDir, `.${PACKAGE_NAME}.sha256`), packed.sha256);
}

/** Installs the current build into `nodesDir` unless that exact build is there already. Returns whether it installed. */
export async function ensurePackageInstalled(nodesDir: string, log: (line: string) => void = () => undefined): Promise<boolean> {
	const packed = await packPackage();
	try {
		const stamp = path.join(nodesDir, `.${PACKAGE_NAME}.sha256`);
		const current = () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === packed.sha256;
		if (current()) return false;
		fs.mkdirSync(nodesDir, { recursive: true });
		return await withLock(`${nodesDir}.lock`, async () => {
			if (current()) return false;
			log(`Installing ${PACKAGE_NAME} into ${nodesDir}...`);
			await installPackage(nodesDir, packed);
			return true;
		});
	} finally {
		fs.rmSync(path.dirname(packed.tarball), { recursive: true, force: true });
	}
}

/**
 * A nodes folder holding the current build, shared by the e2e tests (installing per test would cost its dependencies'
 * download each time). Each test's user folder links `.n8n/nodes` to it. One per checkout, outside it (beside the
 * runtimes), so two checkouts testing different builds never install over each other.
 */
export async function cachedNodesDir(log?: (line: string) => void): Promise<string> {
	const checkout = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
	const dir = path.join(runtimeCacheRoot(), 'e2e-nodes', checkout);
	await ensurePackageInstalled(dir, log);
	return dir;
}
