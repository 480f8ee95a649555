// Agent Brain's memory tools with an Embeddings sub-node on its Embedding input: what the model saves and recalls is
// embedded through the sub-node, not the credential's API, and a sub-node's bad vectors are refused naming it.
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { ExecutionResources } from '../../nodes/AgentBrain/execute/resources';
import { assembleTools } from '../../nodes/AgentBrain/execute/tools';
import { fakeEmbedding } from '../fakes/openai';
import { executeContext } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

useTemporaryUserFolder();

beforeEach(() => {
});
afterEach(() => {
});

async function memoryTools(model: unknown) {
	const builtInTools = ['recallMemory', 'saveMemory'];
	const ctx = executeContext({
		nodeType: new AgentBrain(),
		parameters: { task: 'x', builtInTools, backend: 'embedded', namespace: 'agent-notes' },
		// Nothing listens on port 9: an embeddings call to the credential's API would fail.
		credentials: { openAiCompatibleAgenticApi: { apiKey: 'sk-unused', baseUrl: 'http://127.0.0.1:9/v1', organization: '', extraHeaders: '{}' } },
		connectionData: { ai_embedding: model },
	});
	Object.assign(ctx, { getParentNodes: () => [{ name: 'Embeddings Ollama', type: 'x', typeVersion: 1, disabled: false }] });
	const resources = await ExecutionResources.open(ctx);
	const tools = await assembleTools(ctx, builtInTools, 0, resources);
	const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
	return { byName, close: () => resources.close() };
}

const signal = new AbortController().signal;

it('has an Embedding input, and its memory tools embed through the connected sub-node', async () => {
	expect(new AgentBrain().description.inputs).toContainEqual(expect.objectContaining({ type: 'ai_embedding', required: false, maxConnections: 1 }));
	const calls: string[] = [];
	const model = {
		embedDocuments: async (texts: string[]) => (calls.push(`documents: ${texts.join('|')}`), texts.map((t) => fakeEmbedding(t, 12))),
		embedQuery: async (text: string) => (calls.push(`query: ${text}`), fakeEmbedding('The customer prefers email', 12)),
	};
	const { byName, close } = await memoryTools(model);
	try {
		await byName.remember.run({ text: 'The customer prefers email' }, { signal });
		const recalled = (await byName.recall.run({ query: 'how to contact them' }, { signal })) as unknown;
		expect(JSON.stringify(recalled)).toContain('The customer prefers email');
		expect(calls).toEqual(['documents: The customer prefers email', 'query: how to contact them']);
	} finally {
		await close();
	}
});

it("refuses the sub-node's NaN vectors naming it, and stores nothing", async () => {
	const model = { embedDocuments: async (texts: string[]) => texts.map(() => [0.1, Number.NaN]), embedQuery: async () => [0.1, 0.2] };
	const { byName, close } = await memoryTools(model);
	try {
		await expect(byName.remember.run({ text: 'Anything' }, { signal })).rejects.toThrow(/^The Embeddings sub-node "Embeddings Ollama" returned unusable embeddings: vector 1 holds NaN/);
		expect(await byName.recall.run({ query: 'Anything' }, { signal })).toMatchObject({ results: [] });
	} finally {
		await close();
	}
});
