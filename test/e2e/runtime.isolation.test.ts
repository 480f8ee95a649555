// The e2e n8n sees only what the installed package brings with it: with one of its runtime dependencies taken out of
// the install, n8n cannot use it — nothing from the checkout's own node_modules stands in for it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { cachedNodesDir, PACKAGE_NAME } from './communityPackage';
import { nodeError, startN8n, type N8nInstance } from './harness';
import { ensureRuntime, REPO_ROOT } from './runtime';

// In the checkout's node_modules, and not among n8n's own modules (n8n hands community packages its own tree, which
// has pg, for instance): a dependency whose absence only a leak from the checkout could hide.
const MISSING = 'onnxruntime-node';

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
	// Any existing file will do as a model path: the engine is loaded before the file is read as a model.
	fs.writeFileSync(path.join(dir, 'not-a-model.onnx'), 'not a model');
	return dir;
}

const plateWorkflow = (modelPath: string) => ({
	name: 'Plate Detector without its ONNX runtime',
	nodes: [
		{
			name: 'Photo In',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '0b6c8f0e-5a43-4d8e-9a7e-1a5a7e0f1c01',
			parameters: { httpMethod: 'POST', path: 'isolation-plate', responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
		},
		{
			name: 'Plate Detector',
			type: `${PACKAGE_NAME}.plateDetector`,
			typeVersion: 1,
			position: [220, 0],
			parameters: { input: 'binary', binaryPropertyName: 'data', options: { detectorModelPath: modelPath, ocrModelPath: modelPath, executionProvider: 'cpu' } },
		},
	],
	connections: { 'Photo In': { main: [[{ node: 'Plate Detector', type: 'main', index: 0 }]] } },
});

beforeAll(async () => {
	const complete = await cachedNodesDir((line) => process.stderr.write(`[n8n e2e] ${line}\n`));
	expect(fs.existsSync(path.join(complete, 'node_modules', PACKAGE_NAME, 'node_modules', MISSING))).toBe(true);
	nodesDir = installWithout(MISSING, complete);
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	if (nodesDir) fs.rmSync(nodesDir, { recursive: true, force: true });
}, 60_000);

test(`from the package's own files, n8n's Node finds the package's other dependencies but not ${MISSING}, which the checkout has`, async () => {
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
	expect({ fromPackage: resolves(MISSING, dist), fromCheckout: resolves(MISSING, REPO_ROOT), sharp: resolves('sharp', dist) }).toEqual({
		fromPackage: false,
		fromCheckout: true,
		sharp: true,
	});
}, 30_000);

test(`n8n cannot use ${MISSING} when the installed package lacks it`, async () => {
	n8n = await startN8n({ nodesDir });
	const nodeTypes = (await (await n8n.request('GET', '/types/nodes.json')).json()) as Array<{ name: string }>;
	expect(nodeTypes.length).toBeGreaterThan(100);
	const ours = nodeTypes.map((t) => t.name).filter((name) => name.startsWith(`${PACKAGE_NAME}.`));
	if (!ours.includes(`${PACKAGE_NAME}.plateDetector`)) {
		// A package that needs the engine as it loads does not load at all.
		expect(n8n.logTail(2000)).toContain(`Failed to load package "${PACKAGE_NAME}"`);
		return;
	}
	// The Plate Detector loads its engine on first use: running it is where the missing engine shows.
	const workflow = plateWorkflow(path.join(nodesDir, 'not-a-model.onnx'));
	const workflowId = await n8n.createWorkflow(workflow);
	const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).png().toBuffer();
	const res = await fetch(`${n8n.url}/webhook/isolation-plate`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: photo });
	expect(res.status).toBe(500);
	const execution = await n8n.lastExecution(workflowId);
	// Without it the node falls back to WebAssembly, which then refuses the stand-in model file, saying why it ran.
	expect(nodeError(execution, 'Plate Detector')?.message).toMatch(new RegExp(`on the WebAssembly runtime \\(${MISSING} could not load on this system \\(Cannot find module '${MISSING}'`));
}, 5 * 60_000);
