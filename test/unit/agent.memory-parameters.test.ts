// The Agent Brain node's memory parameters: which settings and credentials n8n shows, and the node opening the embedded store in the n8n user folder.
import { NodeHelpers, NodeOperationError, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';
import { VectorMemory as VectorMemoryNode } from '../../nodes/VectorMemory/VectorMemory.node';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { executeContext } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const KEY = 'sk-node-memory';
let fake: FakeOpenAI;

useTemporaryUserFolder();

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY, embeddingDims: 32 });
});
afterEach(async () => {
	await fake.close();
});

const description = new AgentBrain().description;
const visible = (values: Record<string, unknown>) =>
	(description.properties as INodeProperties[]).filter((p) => NodeHelpers.displayParameter(values as never, p, null, description)).map((p) => p.name);
const credentialsShown = (values: Record<string, unknown>) =>
	(description.credentials ?? []).filter((c) => NodeHelpers.displayParameter(values as never, c, null, description)).map((c) => c.name);

/** The node on these items, the task coming from each item as `{{ $json.task }}` would, with the fake's credential. */
function context(items: INodeExecutionData[], params: (i: number) => Record<string, unknown>) {
	return executeContext({
		nodeType: new AgentBrain(),
		items,
		parameters: (i) => ({ systemMessage: '', builtInTools: [], task: items[i].json.task, ...params(i) }),
		credentials: { openAiCompatibleAgenticApi: { apiKey: KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } },
	});
}

describe('Agent Brain memory parameters', () => {
	it('shows the store settings only with a memory tool on, and the backend credential only for its backend', () => {
		expect(visible({ builtInTools: ['currentDateTime'] })).not.toContain('backend');
		const shown = visible({ builtInTools: ['recallMemory'], backend: 'embedded' });
		expect(shown).toEqual(expect.arrayContaining(['backend', 'namespace', 'embeddingModel', 'dimensions']));
		expect(shown).not.toContain('tableName');
		expect(visible({ builtInTools: ['saveMemory'], backend: 'pgvector' })).toEqual(expect.arrayContaining(['tableName', 'distance']));
		expect(credentialsShown({ builtInTools: ['currentDateTime'], backend: 'pgvector' })).toEqual(['openAiCompatibleAgenticApi']);
		expect(credentialsShown({ builtInTools: ['saveMemory'], backend: 'pgvector' })).toEqual(['openAiCompatibleAgenticApi', 'pgVectorAgenticApi']);
		expect(credentialsShown({ builtInTools: ['recallMemory'], backend: 'qdrant' })).toEqual(['openAiCompatibleAgenticApi', 'qdrantAgenticApi']);
		expect(credentialsShown({ builtInTools: ['recallMemory'], backend: 'embedded' })).toEqual(['openAiCompatibleAgenticApi']);
	});

	it('offers the Vector Memory node\'s own backend choices and namespace rules', () => {
		const own = (name: string) => (description.properties as INodeProperties[]).find((p) => p.name === name);
		const theirs = (name: string) => new VectorMemoryNode().description.properties.find((p) => p.name === name);
		expect(own('backend')!.options).toEqual(theirs('backend')!.options);
		expect(own('namespace')!.default).toBe(theirs('namespace')!.default);
		expect(own('embeddingModel')!.default).toBe(theirs('model')!.default);
	});
});

describe('Agent Brain node with memory tools', () => {
	it('saves to the embedded memory in the n8n user folder, where a later execution recalls it', async () => {
		const items = [{ json: { task: 'Remember: Ana likes PDF invoices.', user: 'ana' } }];
		const params = () => ({ builtInTools: ['saveMemory', 'recallMemory'], backend: 'embedded', namespace: 'user-ana', embeddingModel: 'text-embedding-3-small', dimensions: 0 });
		fake.setScript([{ toolCalls: [{ id: 'a', name: 'remember', arguments: { text: 'Ana likes PDF invoices.' } }] }, { content: 'Saved.' }]);
		const [saved] = (await new AgentBrain().execute.call(context(items, params))) as INodeExecutionData[][];
		expect(saved[0].json.answer).toBe('Saved.');
		const offered = fake.requests.find((r) => r.path.endsWith('/chat/completions'))!.body.tools.map((t: { function: { name: string } }) => t.function.name);
		expect(offered).toEqual(['recall', 'remember']);
		const embeddingsCall = fake.requests.find((r) => r.path.endsWith('/embeddings'))!;
		expect(embeddingsCall.body.model).toBe('text-embedding-3-small');
		expect(embeddingsCall.headers.authorization).toBe(`Bearer ${KEY}`);

		// The Vector Memory node's default store sees what the Agent Brain saved.
		const store = new EmbeddedStore();
		expect(await store.stats('user-ana')).toEqual({ count: 1, dimensions: 32 });
		await store.close();

		fake.setScript([{ toolCalls: [{ id: 'b', name: 'recall', arguments: { query: 'Ana likes PDF invoices.' } }] }, { content: 'PDF.' }]);
		const [answered] = (await new AgentBrain().execute.call(context([{ json: { task: 'How does Ana want invoices?' } }], params))) as INodeExecutionData[][];
		expect(answered[0].json.answer).toBe('PDF.');
		const recallCall = (answered[0].json.toolCalls as Array<{ name: string; resultSummary: string }>)[0];
		expect(recallCall.name).toBe('recall');
		expect(recallCall.resultSummary).toContain('"text":"Ana likes PDF invoices."');
	});

	it('reports a bad namespace as a node error naming the parameter, without calling the model', async () => {
		const items = [{ json: { task: 'Remember this.' } }];
		const run = new AgentBrain().execute.call(context(items, () => ({ builtInTools: ['saveMemory'], backend: 'embedded', namespace: 'no spaces allowed' })));
		await expect(run).rejects.toThrow(NodeOperationError);
		await expect(run).rejects.toThrow('The Memory Namespace "no spaces allowed" is not a valid namespace');
		expect(fake.requests).toHaveLength(0);
	});
});
