// The Vector Memory node inside a real n8n: insert from items, query with filters, errors under Continue On Fail.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const MEMORY = 'n8n-nodes-agentic.vectorMemory';
const credentials = { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } };

function webhookWorkflow(name: string, webhookPath: string, nodes: WorkflowSpec['nodes']): WorkflowSpec {
	const all = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `${webhookPath}-id`,
			parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries' },
		},
		...nodes,
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { name, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

const insertWorkflow = webhookWorkflow('Memory insert', 'memory-insert', [
	{
		name: 'Split Docs',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [200, 0],
		parameters: { fieldToSplitOut: 'body.docs', include: 'noOtherFields' },
	},
	{
		name: 'Remember',
		type: MEMORY,
		typeVersion: 1,
		position: [400, 0],
		credentials,
		parameters: { backend: 'embedded', operation: 'insert', namespace: 'e2e', textField: 'text', metadataFields: 'topic, year', chunkSize: 500, chunkOverlap: 50 },
	},
]);

const queryWorkflow = webhookWorkflow('Memory query', 'memory-query', [
	{
		name: 'Recall',
		type: MEMORY,
		typeVersion: 1,
		position: [200, 0],
		credentials,
		onError: 'continueRegularOutput',
		parameters: {
			backend: 'embedded',
			operation: 'query',
			namespace: 'e2e',
			query: '={{ $json.body.q }}',
			topK: 3,
			filter: '={{ JSON.stringify($json.body.filter ?? {}) }}',
		},
	},
]);

const statsWorkflow = webhookWorkflow('Memory stats', 'memory-stats', [
	{ name: 'Count', type: MEMORY, typeVersion: 1, position: [200, 0], parameters: { backend: 'embedded', operation: 'stats', namespace: 'e2e' } },
]);

const downWorkflow = webhookWorkflow('Memory down', 'memory-down', [
	{ name: 'Split Namespaces', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.namespaces', include: 'noOtherFields' } },
	{
		name: 'Count Remote',
		type: MEMORY,
		typeVersion: 1,
		position: [400, 0],
		credentials: { qdrantAgenticApi: { name: 'Dead Qdrant' } },
		onError: 'continueRegularOutput',
		parameters: { backend: 'qdrant', operation: 'stats', namespace: '={{ $json.namespace }}' },
	},
]);

const manageWorkflow = webhookWorkflow('Memory manage', 'memory-manage', [
	{ name: 'Split Docs', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.docs', include: 'noOtherFields' } },
	{
		name: 'Store Keyed',
		type: MEMORY,
		typeVersion: 1,
		position: [400, 0],
		credentials,
		parameters: { backend: 'embedded', operation: 'insert', namespace: 'manage', textField: 'body', idField: 'key', metadataFields: '' },
	},
	{ name: 'Forget One', type: MEMORY, typeVersion: 1, position: [600, 0], parameters: { backend: 'embedded', operation: 'delete', namespace: 'manage', ids: 'k1, missing' } },
	{ name: 'Count Left', type: MEMORY, typeVersion: 1, position: [800, 0], parameters: { backend: 'embedded', operation: 'stats', namespace: 'manage' } },
	{ name: 'Clear All', type: MEMORY, typeVersion: 1, position: [1000, 0], parameters: { backend: 'embedded', operation: 'clear', namespace: 'manage' } },
	{ name: 'Count After Clear', type: MEMORY, typeVersion: 1, position: [1200, 0], parameters: { backend: 'embedded', operation: 'stats', namespace: 'manage' } },
]);

/** n8n's own AI Agent with Vector Memory as a retrieval tool: the model decides what to look up. */
const agentWorkflow: WorkflowSpec = {
	name: 'Memory as agent tool',
	nodes: [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'memory-agent-id',
			parameters: { httpMethod: 'POST', path: 'memory-agent', responseMode: 'lastNode', responseData: 'firstEntryJson' },
		},
		{ name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3, position: [300, 0], parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} } },
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.2,
			position: [200, 200],
			parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
			credentials: { openAiApi: { name: 'Fake OpenAI (n8n)' } },
		},
		{
			name: 'Company Memory',
			type: `${MEMORY}Tool`,
			typeVersion: 1,
			position: [400, 200],
			credentials,
			parameters: {
				backend: 'embedded',
				operation: 'query',
				namespace: 'e2e',
				query: "={{ $fromAI('query', 'What to look up in the company memory', 'string') }}",
				topK: 1,
			},
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		'Company Memory': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
};

describe('Vector Memory node in n8n', () => {
	let n8n: N8nInstance;
	let openai: FakeOpenAI;

	beforeAll(async () => {
		openai = await startFakeOpenAI({ embeddingDims: 64 });
		n8n = await startN8n({
			credentials: [
				{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: 'sk-test-key', baseUrl: openai.url } },
				// Port 9 (discard) on loopback: nothing listens there, so every call is refused.
				{ name: 'Fake OpenAI (n8n)', type: 'openAiApi', data: { apiKey: 'sk-test-key', url: openai.url, header: false } },
				{ name: 'Dead Qdrant', type: 'qdrantAgenticApi', data: { url: 'http://127.0.0.1:9', apiKey: 'qdrant-secret-key' } },
			],
			workflows: [insertWorkflow, queryWorkflow, statsWorkflow, downWorkflow, manageWorkflow, agentWorkflow],
		});
	}, 600_000);
	afterAll(async () => {
		await n8n?.stop();
		await openai?.close();
	});

	const docs = [
		{ text: 'Invoices are paid within 30 days.', topic: 'billing', year: 2024 },
		{ text: 'The office is closed on public holidays.', topic: 'office', year: 2023 },
		{ text: '', topic: 'empty', year: 2024 },
		{ text: 'Refunds take five business days.', topic: 'billing', year: 2022 },
	];

	it('stores items under the n8n user folder, counts empty texts, and re-inserting does not duplicate', async () => {
		const first = await n8n.webhook('POST', 'memory-insert', { docs });
		expect(first.status).toBe(200);
		expect(first.body).toEqual([expect.objectContaining({ namespace: 'e2e', documents: 3, chunks: 3, skippedEmpty: 1 })]);
		expect(fs.existsSync(path.join(n8n.userFolder, '.n8n', 'agentic', 'memory', 'e2e', 'log.jsonl'))).toBe(true);
		const embedCall = openai.requests.find((r) => r.path === '/v1/embeddings')!;
		expect(embedCall.headers.authorization).toBe('Bearer sk-test-key');
		expect(embedCall.body.model).toBe('text-embedding-3-small');

		const again = await n8n.webhook('POST', 'memory-insert', { docs });
		expect(again.body[0].ids).toEqual(first.body[0].ids);
		const stats = await n8n.webhook('POST', 'memory-stats', {});
		expect(stats.body).toEqual([{ namespace: 'e2e', count: 3, dimensions: 64 }]);
	}, 120_000);

	it('answers a query with the closest texts, their metadata and scores, honouring the filter', async () => {
		const hit = await n8n.webhook('POST', 'memory-query', { q: 'Refunds take five business days.' });
		expect(hit.body[0]).toMatchObject({ text: 'Refunds take five business days.', metadata: { topic: 'billing', year: 2022 } });
		expect(hit.body[0].score).toBeCloseTo(1, 3);
		expect(hit.body).toHaveLength(3);

		const filtered = await n8n.webhook('POST', 'memory-query', { q: 'Refunds take five business days.', filter: { topic: 'billing', year: { $gte: 2023 } } });
		expect(filtered.body.map((h: { text: string }) => h.text)).toEqual(['Invoices are paid within 30 days.']);
	}, 60_000);

	it("serves n8n's AI Agent as a retrieval tool: the model's query finds the stored text", async () => {
		openai.setScript([
			(request) => {
				const messages: Array<{ role: string; content: string }> = request.body.messages;
				const toolResult = messages.find((m) => m.role === 'tool');
				if (toolResult) return { content: `From memory: ${toolResult.content}` };
				return { toolCalls: [{ name: request.body.tools[0].function.name, arguments: { query: 'Refunds take five business days.' } }] };
			},
			(request) => ({ content: `From memory: ${request.body.messages.find((m: { role: string }) => m.role === 'tool').content}` }),
		]);
		const response = await n8n.webhook('POST', 'memory-agent', { question: 'How long do refunds take?' });
		expect(response.status).toBe(200);
		expect(response.body.output).toMatch(/^From memory: .*Refunds take five business days\..*billing/s);
	}, 90_000);

	it('turns an invalid filter into an error item naming the field under Continue On Fail', async () => {
		const response = await n8n.webhook('POST', 'memory-query', { q: 'anything', filter: { year: { $near: 2020 } } });
		expect(response.body).toEqual([expect.objectContaining({ error: expect.stringMatching(/field "year".*\$near/) })]);
		const execution = await n8n.lastExecution(n8n.workflowIds['Memory query']);
		expect(nodeOutput(execution, 'Recall')[0].error).toMatch(/year/);
	}, 60_000);

	it('reports a backend that is down on every item and goes on under Continue On Fail', async () => {
		const response = await n8n.webhook('POST', 'memory-down', { namespaces: [{ namespace: 'one' }, { namespace: 'two' }] });
		expect(response.body).toHaveLength(2);
		for (const item of response.body) {
			expect(item.error).toMatch(/Qdrant could not be reached/);
			expect(JSON.stringify(item)).not.toContain('qdrant-secret-key');
		}
	}, 90_000);

	it('uses the ID field, deletes by ID and clears a namespace', async () => {
		const response = await n8n.webhook('POST', 'memory-manage', {
			docs: [
				{ key: 'k1', body: 'First note', owner: 'ana' },
				{ key: 'k2', body: 'Second note', owner: 'bo' },
			],
		});
		expect(response.body).toEqual([{ namespace: 'manage', count: 0, dimensions: null }]);
		const execution = await n8n.lastExecution(n8n.workflowIds['Memory manage']);
		expect(nodeOutput(execution, 'Store Keyed')).toEqual([expect.objectContaining({ ids: ['k1', 'k2'], chunks: 2 })]);
		expect(nodeOutput(execution, 'Forget One')).toEqual([{ namespace: 'manage', deleted: 1 }]);
		expect(nodeOutput(execution, 'Count Left')).toEqual([{ namespace: 'manage', count: 1, dimensions: 64 }]);
		expect(nodeOutput(execution, 'Clear All')).toEqual([{ namespace: 'manage', cleared: true }]);
	}, 60_000);
});
