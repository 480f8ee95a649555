// Agent Brain's memory tools inside a real n8n, on the same embedded store as the Vector Memory node: what one node stores, the other finds.
import { startFakeOpenAI, type FakeOpenAI, type Responder } from '../fakes/openai';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const OPENAI_KEY = 'sk-e2e-memory-key';
const NAMESPACE = 'kb-e2e';
const credentials = { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } };

/** Webhook → nodes in a row; the webhook answers with the last node's output. */
function webhookWorkflow(name: string, webhookPath: string, responseData: 'allEntries' | 'firstEntryJson', nodes: WorkflowSpec['nodes']): WorkflowSpec {
	const all = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `${webhookPath}-id`,
			parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData },
		},
		...nodes,
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { name, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

const ingestWorkflow = webhookWorkflow('Knowledge ingest', 'kb-ingest', 'allEntries', [
	{ name: 'Split Docs', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.docs', include: 'noOtherFields' } },
	{
		name: 'Store Docs',
		type: 'n8n-nodes-agentic.vectorMemory',
		typeVersion: 1,
		position: [400, 0],
		credentials,
		parameters: { backend: 'embedded', operation: 'insert', namespace: NAMESPACE, textField: 'text', metadataFields: 'url, title' },
	},
]);

const lookupWorkflow = webhookWorkflow('Knowledge lookup', 'kb-lookup', 'allEntries', [
	{
		name: 'Look Up',
		type: 'n8n-nodes-agentic.vectorMemory',
		typeVersion: 1,
		position: [200, 0],
		credentials,
		parameters: { backend: 'embedded', operation: 'query', namespace: NAMESPACE, query: '={{ $json.body.q }}', topK: 1 },
	},
]);

const askWorkflow = webhookWorkflow('Knowledge ask', 'kb-ask', 'firstEntryJson', [
	{
		name: 'Agent Brain',
		type: 'n8n-nodes-agentic.agentBrain',
		typeVersion: 1,
		position: [200, 0],
		credentials,
		parameters: {
			task: '={{ $json.body.task }}',
			model: 'gpt-4o-mini',
			builtInTools: ['recallMemory', 'saveMemory'],
			backend: 'embedded',
			namespace: NAMESPACE,
			embeddingModel: 'text-embedding-3-small',
			options: { requireCitations: true },
		},
	},
]);

let n8n: N8nInstance;
let openai: FakeOpenAI;

beforeAll(async () => {
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, embeddingDims: 64 });
	n8n = await startN8n({
		credentials: [{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } }],
		workflows: [ingestWorkflow, lookupWorkflow, askWorkflow],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await openai?.close();
});

describe('Agent Brain memory tools in n8n', () => {
	it('answers from a document the Vector Memory node stored in an earlier execution, citing its url', async () => {
		const refunds = { text: 'Refunds are paid back within five working days of the return.', url: 'https://help.example.com/refunds', title: 'Refunds' };
		const stored = await n8n.webhook('POST', 'kb-ingest', { docs: [refunds, { text: 'The shop is closed on Sundays.', url: 'https://help.example.com/hours', title: 'Hours' }] });
		expect(stored.status).toBe(200);
		expect(stored.body).toEqual([expect.objectContaining({ namespace: NAMESPACE, documents: 2 })]);

		const answerFromMemory: Responder = (request) => {
			const recalled = JSON.parse(request.body.messages.at(-1).content) as { results: Array<{ text: string; url?: string }> };
			return { content: `${recalled.results[0].text} Source: ${recalled.results[0].url}` };
		};
		// The fake's embeddings match only identical texts, so the model asks in the document's words.
		openai.setScript([{ toolCalls: [{ name: 'recall', arguments: { query: refunds.text, top_k: 1 } }] }, answerFromMemory]);
		const response = await n8n.webhook('POST', 'kb-ask', { task: 'How long do refunds take?' });
		expect(response.status).toBe(200);
		expect(response.body).toMatchObject({
			answer: `${refunds.text} Source: ${refunds.url}`,
			stopReason: 'completed',
			citations: [refunds.url],
			unverifiedCitations: [],
		});
		expect(response.body.toolCalls).toEqual([expect.objectContaining({ name: 'recall', arguments: { query: refunds.text, top_k: 1 } })]);
		expect(response.body.toolCalls[0].error).toBeUndefined();
		expect(JSON.stringify(response.body)).not.toContain(OPENAI_KEY);
	});

	it('saves what the model remembers where a Vector Memory query in another execution finds it', async () => {
		const note = 'Customer 4711 asked to be called back after 5 pm.';
		openai.setScript([{ toolCalls: [{ name: 'remember', arguments: { text: note, metadata: { customer: 4711 } } }] }, { content: 'I will remember that.' }]);
		const saved = await n8n.webhook('POST', 'kb-ask', { task: 'Please note: customer 4711 wants a call back after 5 pm.' });
		expect(saved.body.answer).toBe('I will remember that.');
		const id = JSON.parse(saved.body.toolCalls[0].resultSummary).id as string;

		const found = await n8n.webhook('POST', 'kb-lookup', { q: note });
		expect(found.body).toEqual([expect.objectContaining({ id, text: note, metadata: { customer: 4711 } })]);
		const execution = await n8n.lastExecution(n8n.workflowIds['Knowledge lookup']);
		expect(nodeOutput(execution, 'Look Up')[0].score).toBeCloseTo(1, 5);
	});
});
