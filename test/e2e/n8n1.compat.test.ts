// The package on the n8n 1.x line: n8n 1.123 on Node 20 loads our nodes, runs them behind webhooks, and knows every node the shipped workflows use.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { N8N1_RUNTIME } from './runtime';

const REPO = resolve(__dirname, '../..');
const plateFixtures = requireFixtures('the Plate Detector test on n8n 1.123', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);
const detectorModel = plateFixtures.path(PLATE_DETECTOR_MODEL);
const ocrModel = plateFixtures.path(PLATE_OCR_MODEL);
const platePhoto = plateFixtures.path(CAR_PHOTO);

const OPENAI_KEY = 'sk-e2e-n8n1-key';
const TAVILY_KEY = 'tvly-e2e-n8n1-key';

const webhook = (path: string, responseMode = 'responseNode', extra: Record<string, unknown> = {}) => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: `n8n1-${path}`,
	parameters: { httpMethod: 'POST', path, responseMode, options: {}, ...extra },
});

const respond = {
	name: 'Respond to Webhook',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.1,
	position: [600, 0],
	parameters: { respondWith: 'allIncomingItems', options: {} },
};

function chain(...names: string[]): Record<string, unknown> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < names.length - 1; i++) connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return connections;
}

const tavilyWorkflow: WorkflowSpec = {
	name: 'Tavily search on n8n 1.123',
	nodes: [
		webhook('n8n1-tavily'),
		{
			name: 'Tavily',
			type: 'n8n-nodes-agentic.tavily',
			typeVersion: 1,
			position: [300, 0],
			credentials: { tavilyAgenticApi: { name: 'Tavily' } },
			parameters: { operation: 'search', query: '={{ $json.body.query }}', options: { maxResults: 2 } },
		},
		respond,
	],
	connections: chain('Webhook', 'Tavily', 'Respond to Webhook'),
};

const agentWorkflow: WorkflowSpec = {
	name: 'Agent Brain with web search on n8n 1.123',
	nodes: [
		webhook('n8n1-agent'),
		{
			name: 'Agent Brain',
			type: 'n8n-nodes-agentic.agentBrain',
			typeVersion: 1,
			position: [300, 0],
			parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: ['webSearch'], options: { requireCitations: true } },
			credentials: { openAiCompatibleAgenticApi: { name: 'OpenAI' }, tavilyAgenticApi: { name: 'Tavily' } },
		},
		{ ...respond, parameters: { respondWith: 'firstIncomingItem', options: {} } },
	],
	connections: chain('Webhook', 'Agent Brain', 'Respond to Webhook'),
};

const plateWorkflow: WorkflowSpec = {
	name: 'Plate Detector on n8n 1.123',
	nodes: [
		webhook('n8n1-plate', 'lastNode', { responseData: 'firstEntryJson' }),
		{
			name: 'Plate Detector',
			type: 'n8n-nodes-agentic.plateDetector',
			typeVersion: 1,
			position: [300, 0],
			parameters: {
				input: 'binary',
				binaryPropertyName: 'data',
				options: { detectorModelPath: detectorModel, ocrModelPath: ocrModel, executionProvider: 'cpu' },
			},
		},
	],
	connections: chain('Webhook', 'Plate Detector'),
};

const memoryWorkflow = (name: string, path: string, parameters: Record<string, unknown>): WorkflowSpec => ({
	name,
	nodes: [
		webhook(path, 'lastNode', { responseData: 'allEntries' }),
		{
			name: 'Vector Memory',
			type: 'n8n-nodes-agentic.vectorMemory',
			typeVersion: 1,
			position: [300, 0],
			credentials: { openAiCompatibleAgenticApi: { name: 'OpenAI' } },
			parameters: { backend: 'embedded', namespace: 'n8n1', ...parameters },
		},
	],
	connections: chain('Webhook', 'Vector Memory'),
});
const memoryInsert = memoryWorkflow('Vector Memory insert on n8n 1.123', 'n8n1-memory-insert', {
	operation: 'insert',
	textField: 'body.text',
	metadataFields: '',
});
const memoryQuery = memoryWorkflow('Vector Memory query on n8n 1.123', 'n8n1-memory-query', { operation: 'query', query: '={{ $json.body.q }}', topK: 2 });

const readWorkflows = (dir: string) =>
	readdirSync(join(REPO, dir))
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file: `${dir}/${file}`, workflow: JSON.parse(readFileSync(join(REPO, dir, file), 'utf8')) as WorkflowSpec }));

/** Node types that n8n 2 makes and n8n 1.x lacks: the approval ("send and wait") tool nodes. */
const n8n2Only = (type: string) => type.endsWith('HitlTool');

/** The shipped workflows, as a user imports them (placeholder credential ids and all); workflows/n8n1/ holds the n8n 1.x variants. */
const shipped = [...readWorkflows('workflows'), ...readWorkflows('workflows/n8n1')];
const forN8n1 = shipped.filter(({ workflow }) => !workflow.nodes.some((node) => n8n2Only(node.type)));
const forN8n2Only = shipped.filter(({ workflow }) => workflow.nodes.some((node) => n8n2Only(node.type)));

let n8n: N8nInstance;
let openai: FakeOpenAI;
let tavily: FakeTavily;
let bootMs = 0;

beforeAll(async () => {
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, embeddingDims: 64 });
	tavily = await startFakeTavily({ apiKey: TAVILY_KEY });
	const started = Date.now();
	n8n = await startN8n({
		runtime: N8N1_RUNTIME,
		credentials: [
			{ name: 'OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'Tavily', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
		],
		workflows: [tavilyWorkflow, agentWorkflow, memoryInsert, memoryQuery, ...(plateFixtures.available ? [plateWorkflow] : [])],
	});
	bootMs = Date.now() - started;
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await openai?.close();
	await tavily?.close();
}, 60_000);

/** Every `name@version` n8n knows, from the node-types list its editor loads. */
async function knownNodeTypes(): Promise<Set<string>> {
	const res = await n8n.request('GET', '/types/nodes.json');
	expect(res.status).toBe(200);
	const types = (await res.json()) as Array<{ name: string; version: number | number[] }>;
	const known = new Set<string>();
	for (const type of types) for (const version of [type.version].flat()) known.add(`${type.name}@${version}`);
	return known;
}

it('runs n8n 1.123 on Node 20 and lists our nodes, their tool variants and our credentials', async () => {
	console.log(`n8n ${n8n.runtime.n8nVersion} on Node ${n8n.runtime.nodeVersion} booted (package loaded, workflows activated) in ${bootMs} ms`);
	expect(n8n.runtime).toMatchObject({ n8nVersion: N8N1_RUNTIME.n8nVersion, n8nMajor: 1, nodeVersion: N8N1_RUNTIME.nodeVersion });
	const settings = await n8n.rest('GET', '/settings');
	expect(settings.versionCli).toBe(N8N1_RUNTIME.n8nVersion);

	const known = await knownNodeTypes();
	const ours = ['tavily', 'agentBrain', 'vectorMemory', 'plateDetector'].flatMap((node) => [`n8n-nodes-agentic.${node}@1`, `n8n-nodes-agentic.${node}Tool@1`]);
	expect(ours.filter((type) => !known.has(type))).toEqual([]);

	const credentialTypes = (await (await n8n.request('GET', '/types/credentials.json')).json()) as Array<{ name: string }>;
	expect(credentialTypes.map((t) => t.name)).toEqual(
		expect.arrayContaining(['tavilyAgenticApi', 'openAiCompatibleAgenticApi', 'pgVectorAgenticApi', 'chromaAgenticApi', 'qdrantAgenticApi', 'pineconeAgenticApi']),
	);
}, 30_000);

it('answers a webhook with the results of a Tavily search (Webhook → Tavily → Respond to Webhook)', async () => {
	const before = tavily.requests.length;
	const res = await n8n.webhook('POST', 'n8n1-tavily', { query: 'n8n one point x' });
	expect(res.status).toBe(200);
	expect(res.body.map((r: { url: string }) => r.url)).toEqual([1, 2].map((i) => `https://example.com/search/n8n-one-point-x/${i}`));
	expect(res.body[0]).toMatchObject({ title: 'n8n one point x - result 1', content: 'Snippet 1 about n8n one point x.' });
	const sent = tavily.requests.slice(before);
	expect(sent).toHaveLength(1);
	expect(sent[0].headers.authorization).toBe(`Bearer ${TAVILY_KEY}`);
	expect(sent[0].body).toMatchObject({ query: 'n8n one point x', max_results: 2 });
	const execution = await n8n.lastExecution(n8n.workflowIds[tavilyWorkflow.name]);
	expect(execution.status).toBe('success');
	expect(nodeOutput(execution, 'Tavily')).toEqual(res.body);
}, 60_000);

it('answers a webhook with an Agent Brain answer whose citation a search returned (Webhook → Agent Brain + Tavily → Respond)', async () => {
	openai.setScript([
		{ toolCalls: [{ name: 'web_search', arguments: { query: 'n8n 1.x community nodes' } }] },
		(request) => {
			const found = JSON.parse(request.body.messages.at(-1).content);
			return { content: `Community nodes install from npm. Source: ${found.results[0].url}` };
		},
	]);
	const res = await n8n.webhook('POST', 'n8n1-agent', { task: 'How do community nodes install on n8n 1.x?' });
	expect(res.status).toBe(200);
	expect(res.body).toMatchObject({
		stopReason: 'completed',
		answer: 'Community nodes install from npm. Source: https://example.com/search/n8n-1-x-community-nodes/1',
		unverifiedCitations: [],
	});
	expect(JSON.stringify(res.body.citations)).toContain('https://example.com/search/n8n-1-x-community-nodes/1');
	expect(res.body.citations).toHaveLength(1);
	expect(res.body.toolCalls[0]).toMatchObject({ name: 'web_search', arguments: { query: 'n8n 1.x community nodes' } });
	const text = JSON.stringify(res.body);
	expect(text).not.toContain(OPENAI_KEY);
	expect(text).not.toContain(TAVILY_KEY);
}, 60_000);

plateFixtures.it('answers a webhook carrying a car photo with its plate text (Webhook → Plate Detector)', async () => {
	const res = await fetch(`${n8n.url}/webhook/n8n1-plate`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: readFileSync(platePhoto) });
	const body = (await res.json()) as Record<string, any>;
	expect(res.status).toBe(200);
	expect(body).toMatchObject({ plateText: '5AU5341', plateCount: 1, provider: 'cpu' });
}, 120_000);

it('remembers texts in one execution and finds the closest in the next (Vector Memory, embedded store)', async () => {
	const texts = ['Invoices are paid within 30 days.', 'The office is closed on public holidays.', 'Refunds take five business days.'];
	for (const text of texts) {
		const inserted = await n8n.webhook('POST', 'n8n1-memory-insert', { text });
		expect(inserted.status).toBe(200);
		expect(inserted.body).toEqual([expect.objectContaining({ namespace: 'n8n1', documents: 1, chunks: 1 })]);
	}
	const found = await n8n.webhook('POST', 'n8n1-memory-query', { q: 'Refunds take five business days.' });
	expect(found.status).toBe(200);
	expect(found.body).toHaveLength(2);
	expect(found.body[0]).toMatchObject({ text: 'Refunds take five business days.' });
	expect(found.body[0].score).toBeCloseTo(1, 3);
	expect(existsSync(join(n8n.userFolder, '.n8n', 'agentic', 'memory', 'n8n1', 'log.jsonl'))).toBe(true);
	const query = await n8n.lastExecution(n8n.workflowIds[memoryQuery.name]);
	const insert = await n8n.lastExecution(n8n.workflowIds[memoryInsert.name]);
	expect(query.id).not.toBe(insert.id);
}, 60_000);

describe('the shipped workflows', () => {
	it.each(forN8n1.map(({ file, workflow }) => [file, workflow] as const))('%s imports and activates in n8n 1.123, which knows each node type and version it uses', async (_file, workflow) => {
		const known = await knownNodeTypes();
		const used = [...new Set(workflow.nodes.map((node) => `${node.type}@${node.typeVersion as number}`))];
		expect(used.filter((type) => !known.has(type))).toEqual([]);

		// As n8n 1.x's editor saves an imported file: inactive (n8n 1.x refuses a workflow without `active`).
		const { name, nodes, connections, settings, pinData } = workflow;
		const created = await n8n.rest('POST', '/workflows', { name, nodes, connections, settings, pinData, active: false });
		const stored = await n8n.rest('GET', `/workflows/${created.id}`);
		expect(stored.nodes.map((node: { name: string; type: string }) => `${node.name}:${node.type}`)).toEqual(nodes.map((node) => `${node.name}:${node.type}`));
		expect(Object.keys(stored.connections).sort()).toEqual(Object.keys(connections).sort());

		// Activating registers its trigger (webhook, schedule or chat) in n8n 1.123.
		const activated = await n8n.rest('POST', `/workflows/${created.id}/activate`, { versionId: stored.versionId });
		expect(activated.active).toBe(true);
	}, 30_000);

	it.each(forN8n2Only.map(({ file, workflow }) => [file, workflow] as const))('%s uses approval tool nodes n8n 1.123 lacks, and workflows/n8n1/ has its variant for n8n 1.x', async (file, workflow) => {
		const known = await knownNodeTypes();
		const used = [...new Set(workflow.nodes.map((node) => `${node.type}@${node.typeVersion as number}`))];
		const unknown = used.filter((type) => !known.has(type));
		expect(unknown.length).toBeGreaterThan(0);
		expect(unknown.filter((type) => !n8n2Only(type.split('@')[0]))).toEqual([]);
		const variant = `workflows/n8n1/${file.split('/').pop()}`;
		expect(forN8n1.map((w) => w.file)).toContain(variant);
	}, 30_000);
});
