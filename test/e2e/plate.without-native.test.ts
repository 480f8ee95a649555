// In real n8n with onnxruntime-node and sharp missing from the installed package (as on Alpine, n8n's Docker image, where
// their builds cannot load): every node of the package registers, the Plate Detector reads plates on WebAssembly from
// JS-decoded photos and says why, and Tavily, Agent Brain and Vector Memory run behind webhooks as usual.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, requireFixtures } from '../helpers/fixtures';
import { cachedNodesDir, PACKAGE_NAME } from './communityPackage';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const MISSING = ['onnxruntime-node', 'sharp'];
const V2 = 'models/cct_xs_v2_global.onnx';
const V2_CONFIG = 'models/cct_xs_v2_global_plate_config.yaml';
const fixtures = requireFixtures('the Plate Detector without native engines e2e test', [PLATE_DETECTOR_MODEL, V2, V2_CONFIG, CAR_PHOTO, 'plates/eu/eu5.jpg']);
const OPENAI_KEY = 'sk-e2e-wasm-key';
const TAVILY_KEY = 'tvly-e2e-wasm-key';

/**
 * A nodes folder like the shared install, less `missing`: the package's files are copied (Node resolves a module from
 * where its file really is), and its other dependencies are links to the complete install.
 */
function installWithout(missing: string[], complete: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentic-without-native-'));
	const from = path.join(complete, 'node_modules', PACKAGE_NAME);
	const to = path.join(dir, 'node_modules', PACKAGE_NAME);
	fs.cpSync(from, to, { recursive: true, filter: (source) => source !== path.join(from, 'node_modules') });
	fs.mkdirSync(path.join(to, 'node_modules'));
	for (const entry of fs.readdirSync(path.join(from, 'node_modules'))) {
		if (missing.includes(entry) || entry.startsWith('.')) continue;
		fs.symlinkSync(path.join(from, 'node_modules', entry), path.join(to, 'node_modules', entry));
	}
	fs.copyFileSync(path.join(complete, 'package.json'), path.join(dir, 'package.json'));
	return dir;
}

function webhookWorkflow(name: string, webhookPath: string, node: WorkflowSpec['nodes'][number]): WorkflowSpec {
	return {
		name,
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `without-native-${webhookPath}`,
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
			},
			{ ...node, position: [250, 0] },
		],
		connections: { Webhook: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
	};
}

const plateWorkflow = webhookWorkflow('Plate Detector on WebAssembly', 'wasm-plate', {
	name: 'Plate Detector',
	type: `${PACKAGE_NAME}.plateDetector`,
	typeVersion: 1,
	parameters: {
		input: 'binary',
		binaryPropertyName: 'data',
		options: { detectorModelPath: fixtures.path(PLATE_DETECTOR_MODEL), ocrModelPath: fixtures.path(V2), ocrConfigPath: fixtures.path(V2_CONFIG), includeCrops: true },
	},
});

const tavilyWorkflow = webhookWorkflow('Tavily without native engines', 'wasm-tavily', {
	name: 'Tavily',
	type: `${PACKAGE_NAME}.tavily`,
	typeVersion: 1,
	credentials: { tavilyAgenticApi: { name: 'Fake Tavily' } },
	parameters: { operation: 'search', query: '={{ $json.body.query }}', options: { maxResults: 2 } },
});

const brainWorkflow = webhookWorkflow('Agent Brain without native engines', 'wasm-brain', {
	name: 'Agent Brain',
	type: `${PACKAGE_NAME}.agentBrain`,
	typeVersion: 1,
	credentials: { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } },
	parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini' },
});

const memoryWorkflow = webhookWorkflow('Vector Memory without native engines', 'wasm-memory', {
	name: 'Remember',
	type: `${PACKAGE_NAME}.vectorMemory`,
	typeVersion: 1,
	credentials: { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } },
	parameters: { backend: 'embedded', operation: 'insert', namespace: 'wasm', textField: 'body.text', metadataFields: '' },
});

/** Posts to a webhook; a just-published workflow's webhook may take a moment to register (404 until then). */
async function post(n8n: N8nInstance, webhookPath: string, contentType: string, body: Buffer | string): Promise<{ status: number; body: any }> {
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(`${n8n.url}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': contentType }, body });
		if (res.status !== 404 || attempt >= 40) return { status: res.status, body: await res.json().catch(() => undefined) };
		await new Promise((r) => setTimeout(r, 500));
	}
}

let nodesDir: string;
let n8n: N8nInstance | undefined;
let openai: FakeOpenAI;
let tavily: FakeTavily;

fixtures.describe('n8n with onnxruntime-node and sharp missing from the installed package', () => {
	beforeAll(async () => {
		const complete = await cachedNodesDir((line) => process.stderr.write(`[n8n e2e] ${line}\n`));
		for (const name of [...MISSING, 'onnxruntime-web', 'jpeg-js', 'pngjs']) {
			expect([name, fs.existsSync(path.join(complete, 'node_modules', PACKAGE_NAME, 'node_modules', name))]).toEqual([name, true]);
		}
		nodesDir = installWithout(MISSING, complete);
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, script: [{ content: 'Hello from a host without native engines.' }] });
		tavily = await startFakeTavily({ apiKey: TAVILY_KEY });
		n8n = await startN8n({
			nodesDir,
			credentials: [
				{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
				{ name: 'Fake Tavily', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
			],
			workflows: [plateWorkflow, tavilyWorkflow, brainWorkflow, memoryWorkflow],
			env: { NODE_ENV: 'production' },
		});
	}, 15 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await openai?.close();
		await tavily?.close();
		if (nodesDir) fs.rmSync(nodesDir, { recursive: true, force: true });
	}, 60_000);

	it('registers all four node types of the package', async () => {
		const nodeTypes = (await (await (n8n as N8nInstance).request('GET', '/types/nodes.json')).json()) as Array<{ name: string }>;
		const ours = new Set(nodeTypes.map((t) => t.name).filter((name) => name.startsWith(`${PACKAGE_NAME}.`)));
		expect(['agentBrain', 'plateDetector', 'tavily', 'vectorMemory'].filter((type) => !ours.has(`${PACKAGE_NAME}.${type}`))).toEqual([]);
		expect((n8n as N8nInstance).logTail(4000)).not.toContain('Failed to load package');
	}, 60_000);

	it('reads plates on WebAssembly from JS-decoded photos behind a webhook, saying why', async () => {
		const car = await post(n8n as N8nInstance, 'wasm-plate', 'image/png', fs.readFileSync(fixtures.path(CAR_PHOTO)));
		expect(car.status).toBe(200);
		expect(car.body).toMatchObject({ plateText: '5AU5341', plateCount: 1, provider: 'wasm' });
		expect(car.body.providerNote).toMatch(/^onnxruntime-node could not load on this system \(Cannot find module 'onnxruntime-node'.*\): using the WebAssembly runtime$/);
		expect(car.body.plates[0]).toMatchObject({ plateText: '5AU5341', region: 'Czech Republic' });
		const uk = await post(n8n as N8nInstance, 'wasm-plate', 'image/jpeg', fs.readFileSync(fixtures.path('plates/eu/eu5.jpg')));
		expect(uk.body).toMatchObject({ plateText: 'OY09FEU', provider: 'wasm' });
		const execution = await (n8n as N8nInstance).lastExecution((n8n as N8nInstance).workflowIds[plateWorkflow.name]);
		expect(nodeOutput(execution, 'Plate Detector')[0].plateText).toBe('OY09FEU');
	}, 180_000);

	it('runs Tavily, Agent Brain and Vector Memory (embedded) behind webhooks', async () => {
		const search = await post(n8n as N8nInstance, 'wasm-tavily', 'application/json', JSON.stringify({ query: 'n8n community nodes' }));
		expect(search.status).toBe(200);
		expect(tavily.requests.filter((r) => r.path === '/search').map((r) => r.body.query)).toEqual(['n8n community nodes']);
		const brain = await post(n8n as N8nInstance, 'wasm-brain', 'application/json', JSON.stringify({ task: 'Say hello.' }));
		expect(brain.status).toBe(200);
		expect(JSON.stringify(brain.body)).toContain('Hello from a host without native engines.');
		const memory = await post(n8n as N8nInstance, 'wasm-memory', 'application/json', JSON.stringify({ text: 'Plates are read on WebAssembly here.' }));
		expect(memory.status).toBe(200);
		expect(openai.requests.some((r) => r.path === '/v1/embeddings')).toBe(true);
	}, 180_000);
});
