// Vector Memory Store in real n8n, 2.41 and 1.123: n8n's Question and Answer Chain (with n8n's OpenAI Chat Model and
// Vector Store Retriever) answers from a document Vector Memory stored in the embedded backend before n8n restarted;
// the retriever hands over the stored chunks with their metadata; the node's metadata filter holds; a namespace that
// holds nothing gives no documents; and n8n's AI Agent uses it as a tool under its own name.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { cachedNodesDir } from './communityPackage';
import { startN8n, type Execution, type N8nInstance, type WorkflowSpec } from './harness';
import { N8N1_RUNTIME, type RuntimeSpec } from './runtime';

const KEY = 'sk-vector-store-e2e';
const credentials = { openAiApi: { name: 'Fake OpenAI (n8n)' } };
const webhook = (webhookPath: string) => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0],
	webhookId: webhookPath,
	parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'firstEntryJson' },
});
const embeddings = { name: 'Embeddings OpenAI', type: '@n8n/n8n-nodes-langchain.embeddingsOpenAi', typeVersion: 1.2, position: [600, 400], parameters: { model: 'text-embedding-3-small', options: {} }, credentials };
const chatModel = {
	name: 'OpenAI Chat Model',
	type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
	typeVersion: 1.2,
	position: [200, 200],
	parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
	credentials,
};
const storeParameters = { backend: 'embedded', namespace: '={{ $json.body.namespace }}', filter: '={{ JSON.stringify($json.body.filter ?? {}) }}' };
const toEmbedding = (node: string) => ({ 'Embeddings OpenAI': { ai_embedding: [[{ node, type: 'ai_embedding', index: 0 }]] } });

const insertWorkflow: WorkflowSpec = {
	name: 'Store documents',
	nodes: [
		webhook('vs-insert'),
		{ name: 'Split Docs', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.docs', include: 'noOtherFields' } },
		{ name: 'Vector Memory', type: 'n8n-nodes-agentic.vectorMemory', typeVersion: 1, position: [400, 0], parameters: { backend: 'embedded', operation: 'insert', namespace: 'handbook', textField: 'text', metadataFields: 'topic, page' } },
		embeddings,
	],
	connections: {
		Webhook: { main: [[{ node: 'Split Docs', type: 'main', index: 0 }]] },
		'Split Docs': { main: [[{ node: 'Vector Memory', type: 'main', index: 0 }]] },
		...toEmbedding('Vector Memory'),
	},
};

const qaWorkflow: WorkflowSpec = {
	name: 'Question and answer',
	nodes: [
		webhook('vs-qa'),
		{ name: 'Question and Answer Chain', type: '@n8n/n8n-nodes-langchain.chainRetrievalQa', typeVersion: 1.6, position: [300, 0], parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} } },
		chatModel,
		{ name: 'Vector Store Retriever', type: '@n8n/n8n-nodes-langchain.retrieverVectorStore', typeVersion: 1, position: [400, 200], parameters: { topK: 2 } },
		{ name: 'Vector Memory Store', type: 'n8n-nodes-agentic.vectorMemoryStore', typeVersion: 1, position: [500, 300], parameters: { mode: 'retrieve', ...storeParameters } },
		embeddings,
	],
	connections: {
		Webhook: { main: [[{ node: 'Question and Answer Chain', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'Question and Answer Chain', type: 'ai_languageModel', index: 0 }]] },
		'Vector Store Retriever': { ai_retriever: [[{ node: 'Question and Answer Chain', type: 'ai_retriever', index: 0 }]] },
		'Vector Memory Store': { ai_vectorStore: [[{ node: 'Vector Store Retriever', type: 'ai_vectorStore', index: 0 }]] },
		...toEmbedding('Vector Memory Store'),
	},
};

const agentWorkflow: WorkflowSpec = {
	name: 'Agent with handbook tool',
	nodes: [
		webhook('vs-agent'),
		{ name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3, position: [300, 0], parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} } },
		chatModel,
		{
			name: 'Handbook',
			type: 'n8n-nodes-agentic.vectorMemoryStore',
			typeVersion: 1,
			position: [500, 300],
			parameters: { mode: 'retrieve-as-tool', toolName: 'company_handbook', toolDescription: 'Searches the company handbook', topK: 1, ...storeParameters },
		},
		embeddings,
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		Handbook: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		...toEmbedding('Handbook'),
	},
};

const docs = [
	{ text: 'Refunds take five business days.', topic: 'billing', page: 3 },
	{ text: 'Invoices are paid within 30 days.', topic: 'billing', page: 4 },
	{ text: 'The office is closed on public holidays.', topic: 'office', page: 9 },
];

/** The documents Vector Memory Store gave n8n's Vector Store Retriever, as n8n recorded the sub-node's run. */
function retrieved(execution: Execution): Array<{ pageContent: string; metadata: Record<string, unknown> }> {
	const runs = execution.data.resultData.runData['Vector Memory Store'] as unknown as Array<{ data?: { ai_vectorStore?: Array<Array<{ json: { response?: unknown } }>> } }>;
	const response = runs?.[0]?.data?.ai_vectorStore?.[0]?.[0]?.json.response;
	if (!Array.isArray(response)) throw new Error(`the retriever recorded no documents: ${JSON.stringify(execution.data.resultData).slice(0, 3000)}`);
	return response;
}

/** The chat model answers with the context n8n's chain put in its system message, so the answer shows what was retrieved. */
const answerFromContext = (request: { body: any }) => {
	const system = request.body.messages.find((m: { role: string }) => m.role === 'system');
	return { content: `Context: ${typeof system?.content === 'string' ? system.content : JSON.stringify(system?.content)}` };
};

describe.each([
	['n8n 2.41', undefined],
	['n8n 1.123', N8N1_RUNTIME],
] as Array<[string, RuntimeSpec | undefined]>)('Vector Memory Store in %s', (label, runtime) => {
	let openai: FakeOpenAI;
	let n8n: N8nInstance | undefined;
	let userFolder: string;
	let workflowIds: Record<string, string>;

	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: KEY, embeddingDims: 64 });
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-vector-store-'));
		fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
		fs.symlinkSync(await cachedNodesDir(), path.join(userFolder, '.n8n', 'nodes'), 'dir');
		const env = { N8N_USER_FOLDER: userFolder, N8N_ENCRYPTION_KEY: `vector-store-e2e-${label}` };
		n8n = await startN8n({
			runtime,
			env,
			credentials: [{ name: 'Fake OpenAI (n8n)', type: 'openAiApi', data: { apiKey: KEY, url: openai.url, header: false } }],
			workflows: [insertWorkflow, qaWorkflow, agentWorkflow],
		});
		workflowIds = n8n.workflowIds;
		const inserted = await n8n.webhook('POST', 'vs-insert', { docs });
		expect(inserted.body).toMatchObject({ namespace: 'handbook', documents: 3, chunks: 3 });
		await n8n.stop();
		// A new n8n process on the same user folder: what it finds was stored by the one before.
		n8n = await startN8n({ runtime, env });
	}, 15 * 60_000);
	afterAll(async () => {
		await n8n?.stop();
		await openai?.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	it('answers from the stored document after a restart; the retriever hands over the chunks with their metadata', async () => {
		openai.setScript([answerFromContext]);
		const response = await n8n!.webhook('POST', 'vs-qa', { question: 'Refunds take five business days.', namespace: 'handbook' });
		expect(response.status).toBe(200);
		expect(JSON.stringify(response.body)).toMatch(/Context: .*Refunds take five business days\./);
		const documents = retrieved(await n8n!.lastExecution(workflowIds['Question and answer']));
		expect(documents).toHaveLength(2);
		expect(documents[0]).toMatchObject({ pageContent: 'Refunds take five business days.', metadata: { topic: 'billing', page: 3 } });
	}, 120_000);

	it("holds to the node's metadata filter", async () => {
		openai.setScript([answerFromContext]);
		await n8n!.webhook('POST', 'vs-qa', { question: 'The office is closed on public holidays.', namespace: 'handbook', filter: { topic: 'billing' } });
		const documents = retrieved(await n8n!.lastExecution(workflowIds['Question and answer']));
		expect(documents.map((d) => d.metadata.topic)).toEqual(['billing', 'billing']);
		expect(openai.requests.at(-1)!.body.messages[0].content).not.toContain('public holidays');
	}, 120_000);

	it('gives the chain no documents, not an error, for a namespace that holds nothing', async () => {
		openai.setScript([answerFromContext]);
		const response = await n8n!.webhook('POST', 'vs-qa', { question: 'Anything?', namespace: 'nothing_here' });
		expect(response.status).toBe(200);
		expect(retrieved(await n8n!.lastExecution(workflowIds['Question and answer']))).toEqual([]);
	}, 120_000);

	it("serves n8n's AI Agent as a tool under its own name and description, filter held", async () => {
		openai.setScript([
			(request) => {
				const tool = request.body.tools?.[0]?.function;
				if (!tool || tool.name !== 'company_handbook' || !/Searches the company handbook/.test(tool.description)) return { content: `unexpected tools: ${JSON.stringify(request.body.tools)}` };
				return { toolCalls: [{ name: 'company_handbook', arguments: { input: 'The office is closed on public holidays.' } }] };
			},
			(request) => ({ content: `From the handbook: ${request.body.messages.find((m: { role: string }) => m.role === 'tool')?.content}` }),
		]);
		const response = await n8n!.webhook('POST', 'vs-agent', { question: 'When is the office closed?', namespace: 'handbook', filter: { page: { $gte: 4 } } });
		expect(response.status).toBe(200);
		expect(response.body.output).toMatch(/^From the handbook: .*The office is closed on public holidays\..*page\\*":9/s);
		expect(response.body.output).not.toContain('Refunds');
	}, 120_000);
});
