// The e2e n8n sees only what the installed package brings with it: with one of its runtime dependencies taken out of
// the install, the package does not load — nothing from the checkout's own node_modules stands in for it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedNodesDir, PACKAGE_NAME } from './communityPackage';
import { startN8n, type N8nInstance } from './harness';
import { ensureRuntime, REPO_ROOT } from './runtime';

// Required when the Plate Detector's module loads, and present in the checkout's node_modules: the dependency whose
// absence the checkout could hide.
const MISSING = 'sharp';

let nodesDir: string;
let n8n: N8nInstance | undefined;

/**
 * A nodes folder like the shared install, less one dependency: the package's files are copied (Node resolves a module
 * from where its file really is), and its other dependencies are links to the complete install.
 */
function installWithout(dependency: string, complete: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentic-missing-dependency-'));
	const from = path.join(complete, 'node_modules', PACKAGE_NAME);
	const to = path.join(dir, 'node_modules', PACKAGE_NAME);
	fs.cpSync(from, to, { recursive: true, filter: (source) => source !== path.join(from, 'node_modules') });
	fs.mkdirSync(path.join(to, 'node_modules'));
	for (const entry of fs.readdirSync(path.join(from, 'node_modules'))) {
		if (entry === dependency || entry.startsWith('.')) continue;
		fs.symlinkSync(path.join(from, 'node_modules', entry), path.join(to, 'node_modules', entry));
	}
	fs.copyFileSync(path.join(complete, 'package.json'), path.join(dir, 'package.json'));
	return dir;
}

beforeAll(async () => {
	const complete = await cachedNodesDir((line) => process.stderr.write(`[n8n e2e] ${line}\n`));
	expect(fs.existsSync(path.join(complete, 'node_modules', PACKAGE_NAME, 'node_modules', MISSING))).toBe(true);
	nodesDir = installWithout(MISSING, complete);
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	if (nodesDir) fs.rmSync(nodesDir, { recursive: true, force: true });
}, 60_000);

test(`from the package's own files, the runtime's Node finds its other dependencies but not ${MISSING}, which the checkout has`, async () => {
	const runtime = await ensureRuntime();
	const dist = path.join(nodesDir, 'node_modules', PACKAGE_NAME, 'dist');
	const resolves = (name: string, from: string) => {
		try {
			execFileSync(runtime.nodeBin, ['-e', `require.resolve(${JSON.stringify(name)}, { paths: [${JSON.stringify(from)}] })`], { stdio: 'ignore' });
			return true;
		} catch {
			return false;
		}
	};
	expect(path.relative(REPO_ROOT, nodesDir).startsWith('..')).toBe(true);
	expect({ fromPackage: resolves(MISSING, dist), fromCheckout: resolves(MISSING, REPO_ROOT), pg: resolves('pg', dist) }).toEqual({
		fromPackage: false,
		fromCheckout: true,
		pg: true,
	});
}, 30_000);

test(`n8n fails to load the package without ${MISSING}, and lists none of its nodes`, async () => {
	n8n = await startN8n({ nodesDir });
	const nodeTypes = (await (await n8n.request('GET', '/types/nodes.json')).json()) as Array<{ name: string }>;
	expect(nodeTypes.length).toBeGreaterThan(100);
	expect(nodeTypes.map((t) => t.name).filter((name) => name.startsWith(`${PACKAGE_NAME}.`))).toEqual([]);
	expect(n8n.logTail(2000)).toContain(`Failed to load package "${PACKAGE_NAME}"`);
}, 5 * 60_000);
