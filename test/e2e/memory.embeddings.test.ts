// Vector Memory's Embedding input in real n8n, 2.41 and 1.123: n8n's own Embeddings OpenAI and Embeddings Ollama sub-nodes
// embed what it stores and the questions it answers, and a namespace refuses vectors of another size naming the sub-node.
import { startFakeOllama, type FakeOllama } from '../fakes/ollama';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { N8N1_RUNTIME, type RuntimeSpec } from './runtime';

const MEMORY = 'n8n-nodes-agentic.vectorMemory';
const OPENAI_DIMS = 64;
const OLLAMA_DIMS = 32;

const embeddingsNodes = {
	openai: {
		name: 'Embeddings OpenAI',
		type: '@n8n/n8n-nodes-langchain.embeddingsOpenAi',
		typeVersion: 1.2,
		position: [400, 200],
		parameters: { model: 'text-embedding-3-small', options: {} },
		credentials: { openAiApi: { name: 'Fake OpenAI (n8n)' } },
	},
	ollama: {
		name: 'Embeddings Ollama',
		type: '@n8n/n8n-nodes-langchain.embeddingsOllama',
		typeVersion: 1,
		position: [400, 200],
		parameters: { model: 'nomic-embed-text:latest' },
		credentials: { ollamaApi: { name: 'Fake Ollama' } },
	},
};
type Provider = keyof typeof embeddingsNodes;

/** Webhook → (Split Out) → Vector Memory, with the provider's Embeddings sub-node on its Embedding input. */
function memoryWorkflow(provider: Provider, operation: 'insert' | 'query'): WorkflowSpec {
	const path = `emb-${provider}-${operation}`;
	const webhook = { name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: path, parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries' } };
	const split = { name: 'Split Docs', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.docs', include: 'noOtherFields' } };
	const parameters =
		operation === 'insert'
			? { backend: 'embedded', operation, namespace: '={{ $json.namespace }}', textField: 'text', metadataFields: 'topic' }
			: { backend: 'embedded', operation, namespace: '={{ $json.body.namespace }}', query: '={{ $json.body.q }}', topK: 2, minScore: -1 };
	const memory = { name: 'Vector Memory', type: MEMORY, typeVersion: 1, position: [400, 0], onError: 'continueRegularOutput', parameters };
	const main = operation === 'insert' ? [webhook, split, memory] : [webhook, memory];
	const connections: Record<string, unknown> = { [embeddingsNodes[provider].name]: { ai_embedding: [[{ node: 'Vector Memory', type: 'ai_embedding', index: 0 }]] } };
	for (let i = 0; i < main.length - 1; i++) connections[main[i].name] = { main: [[{ node: main[i + 1].name, type: 'main', index: 0 }]] };
	return { name: `Memory ${provider} ${operation}`, nodes: [...main, embeddingsNodes[provider]], connections, settings: { executionOrder: 'v1' } };
}

/** Agent Brain whose Save to Memory tool embeds through Embeddings Ollama. */
const agentWorkflow: WorkflowSpec = {
	name: 'Agent Brain memory through Ollama',
	nodes: [
		{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'emb-agent', parameters: { httpMethod: 'POST', path: 'emb-agent', responseMode: 'lastNode', responseData: 'firstEntryJson' } },
		{
			name: 'Agent Brain',
			type: 'n8n-nodes-agentic.agentBrain',
			typeVersion: 1,
			position: [300, 0],
			parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: ['saveMemory'], backend: 'embedded', namespace: 'agent-ollama' },
			credentials: { openAiCompatibleAgenticApi: { name: 'Fake OpenAI (agentic)' } },
		},
		{ ...embeddingsNodes.ollama, position: [300, 200] },
	],
	connections: {
		Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
		'Embeddings Ollama': { ai_embedding: [[{ node: 'Agent Brain', type: 'ai_embedding', index: 0 }]] },
	},
};

const workflows = [...(['openai', 'ollama'] as const).flatMap((provider) => [memoryWorkflow(provider, 'insert'), memoryWorkflow(provider, 'query')]), agentWorkflow];

const docs = (namespace: string) => [
	{ text: 'Invoices are paid within 30 days.', topic: 'billing', namespace },
	{ text: 'The office is closed on public holidays.', topic: 'office', namespace },
];

describe.each([
	['n8n 2.41', undefined],
	['n8n 1.123', N8N1_RUNTIME],
] as Array<[string, RuntimeSpec | undefined]>)("Vector Memory with n8n's Embeddings sub-nodes on %s", (_label, runtime) => {
	let n8n: N8nInstance;
	let openai: FakeOpenAI;
	let ollama: FakeOllama;

	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: 'sk-emb-e2e', embeddingDims: OPENAI_DIMS });
		ollama = await startFakeOllama({ models: { 'nomic-embed-text:latest': OLLAMA_DIMS } });
		n8n = await startN8n({
			runtime,
			credentials: [
				{ name: 'Fake OpenAI (n8n)', type: 'openAiApi', data: { apiKey: 'sk-emb-e2e', url: openai.url, header: false } },
				{ name: 'Fake Ollama', type: 'ollamaApi', data: { baseUrl: ollama.url } },
				{ name: 'Fake OpenAI (agentic)', type: 'openAiCompatibleAgenticApi', data: { apiKey: 'sk-emb-e2e', baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			],
			workflows,
		});
	}, 15 * 60_000);
	afterAll(async () => {
		await n8n?.stop();
		await openai?.close();
		await ollama?.close();
	}, 60_000);

	it.each(['openai', 'ollama'] as Provider[])('stores through Embeddings %s and answers a question embedded by it', async (provider) => {
		const namespace = `${provider}-docs`;
		const inserted = await n8n.webhook('POST', `emb-${provider}-insert`, { docs: docs(namespace) });
		expect(inserted.body).toEqual([expect.objectContaining({ namespace, documents: 2, chunks: 2 })]);
		const hits = await n8n.webhook('POST', `emb-${provider}-query`, { namespace, q: 'Invoices are paid within 30 days.' });
		expect(hits.body[0]).toMatchObject({ text: 'Invoices are paid within 30 days.', metadata: { topic: 'billing' } });
		// The fake's vectors are a function of the text alone: a question equal to a stored text scores 1.
		expect(hits.body[0].score).toBeCloseTo(1, 4);
		const execution = await n8n.lastExecution(n8n.workflowIds[`Memory ${provider} query`]);
		expect(nodeOutput(execution, 'Vector Memory')).toHaveLength(2);
		if (provider === 'openai') {
			const calls = openai.requests.filter((r) => r.path === '/v1/embeddings');
			// LangChain's OpenAI embeddings send a question as one string, documents as a list.
			expect(calls.map((r) => r.body.input)).toEqual([docs(namespace).map((d) => d.text), 'Invoices are paid within 30 days.']);
		} else {
			expect(ollama.embedRequests.map((r) => r.input)).toEqual([docs(namespace).map((d) => d.text), ['Invoices are paid within 30 days.']]);
			expect(ollama.embedRequests[0].model).toBe('nomic-embed-text:latest');
		}
	}, 120_000);

	it('refuses Ollama vectors in a namespace filled by OpenAI, naming both sizes and the sub-node', async () => {
		const response = await n8n.webhook('POST', 'emb-ollama-insert', { docs: docs('openai-docs').slice(0, 1) });
		expect(response.body).toEqual([
			expect.objectContaining({
				error: `Dimension mismatch: the embeddings from the Embeddings sub-node "Embeddings Ollama" have ${OLLAMA_DIMS} dimensions but namespace "openai-docs" holds vectors of ${OPENAI_DIMS} dimensions`,
			}),
		]);
		const asked = await n8n.webhook('POST', 'emb-ollama-query', { namespace: 'openai-docs', q: 'invoices' });
		expect(asked.body[0].error).toMatch(new RegExp(`Embeddings Ollama.* ${OLLAMA_DIMS} dimensions.* ${OPENAI_DIMS} dimensions`));
	}, 120_000);

	it("embeds what Agent Brain's Save to Memory tool stores through the Embeddings Ollama sub-node", async () => {
		openai.setScript([{ toolCalls: [{ name: 'remember', arguments: { text: 'Dana prefers calls after 5pm.' } }] }, { content: 'Noted.' }]);
		const before = openai.requests.filter((r) => r.path === '/v1/embeddings').length;
		const response = await n8n.webhook('POST', 'emb-agent', { task: 'Remember that Dana prefers calls after 5pm.' });
		expect(response.body.answer).toBe('Noted.');
		expect(ollama.embedRequests.at(-1)!.input).toEqual(['Dana prefers calls after 5pm.']);
		expect(openai.requests.filter((r) => r.path === '/v1/embeddings')).toHaveLength(before);
	}, 120_000);
});
