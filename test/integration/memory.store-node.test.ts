// The Vector Memory Store node's own code paths on the embedded backend: supplyData gives a vector store of the LangChain
// found on n8n's module paths, its searches show in the node's run; the tool mode's execute() answers the engine's call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INodeExecutionData, ISupplyDataFunctions } from 'n8n-workflow';
import { resolveLangChainCore } from '../../nodes/VectorMemory/langchain';
import { VectorMemory } from '../../nodes/VectorMemory/VectorMemory.node';
import { VectorMemoryStore } from '../../nodes/VectorMemory/VectorMemoryStore.node';
import { fakeEmbedding } from '../fakes/openai';
import { executeContext, type Parameters } from '../helpers/executeContext';

const REPO = resolve(__dirname, '../..');
let userFolder: string;
const saved = { userFolder: process.env.N8N_USER_FOLDER, nodePath: process.env.NODE_PATH };

const model = { embedDocuments: async (texts: string[]) => texts.map((t) => fakeEmbedding(t, 8)), embedQuery: async (text: string) => fakeEmbedding(text, 8) };

function context(nodeType: VectorMemory | VectorMemoryStore, parameters: Parameters, items: INodeExecutionData[] = [{ json: {} }], continueOnFail = false) {
	const runs: Array<{ kind: string; data: unknown }> = [];
	const ctx = executeContext({ nodeType, parameters, items, continueOnFail, connectionData: { ai_embedding: model } });
	Object.assign(ctx, {
		addInputData: (_type: string, data: unknown) => (runs.push({ kind: 'input', data }), { index: 0 }),
		addOutputData: (_type: string, _index: number, data: unknown) => runs.push({ kind: 'output', data }),
	});
	return { ctx, runs };
}

beforeAll(async () => {
	userFolder = mkdtempSync(join(tmpdir(), 'n8n-user-'));
	process.env.N8N_USER_FOLDER = userFolder;
	const docs = [
		{ json: { text: 'The cat sleeps on the sofa', source: 'pets' } },
		{ json: { text: 'Quarterly invoice for cloud servers', source: 'finance' } },
	];
	const { ctx } = context(new VectorMemory(), { backend: 'embedded', operation: 'insert', namespace: 'kb' }, docs);
	await new VectorMemory().execute.call(ctx);
});
afterAll(() => {
	rmSync(userFolder, { recursive: true, force: true });
	for (const [key, value] of [['N8N_USER_FOLDER', saved.userFolder], ['NODE_PATH', saved.nodePath]] as const) {
		if (value === undefined) delete process.env[key];
		else process.env[key] = value;
	}
});

describe('Vector Memory Store node', () => {
	it("supplies a VectorStore of the LangChain on n8n's NODE_PATH, whose searches show in the node's run", async () => {
		process.env.NODE_PATH = join(REPO, 'node_modules');
		const { ctx, runs } = context(new VectorMemoryStore(), { mode: 'retrieve', backend: 'embedded', namespace: 'kb', filter: '{"source": "pets"}' });
		const supplied = await new VectorMemoryStore().supplyData.call(ctx as unknown as ISupplyDataFunctions, 0);
		expect(supplied.response).toBeInstanceOf(resolveLangChainCore([REPO]).VectorStore);
		const found = await (supplied.response as { similaritySearch(q: string, k: number): Promise<Array<{ pageContent: string }>> }).similaritySearch('invoice', 4);
		expect(found.map((d) => d.pageContent)).toEqual(['The cat sleeps on the sofa']);
		expect(runs).toEqual([
			{ kind: 'input', data: [[{ json: { query: 'invoice', k: 4, filter: { source: 'pets' } } }]] },
			{ kind: 'output', data: [[{ json: { response: [expect.objectContaining({ pageContent: 'The cat sleeps on the sofa', metadata: { source: 'pets' } })] } }]] },
		]);
		await supplied.closeFunction?.();
	});

	it('in tool mode, answers the input of each item as n8n runs a tool node, each failing alone under Continue On Fail', async () => {
		const parameters = { mode: 'retrieve-as-tool', toolName: 'kb_search', toolDescription: 'Search', topK: 1, backend: 'embedded', namespace: 'kb' };
		const { ctx } = context(new VectorMemoryStore(), parameters, [{ json: { input: 'Quarterly invoice for cloud servers' } }, { json: { input: '' } }], true);
		const [out] = await new VectorMemoryStore().execute.call(ctx);
		const response = out[0].json.response as Array<{ type: string; text: string }>;
		expect(response).toHaveLength(1);
		expect(JSON.parse(response[0].text)).toMatchObject({ pageContent: 'Quarterly invoice for cloud servers', metadata: { source: 'finance' } });
		expect(out[1].json.error).toBe('The tool needs a text to search for');
	});

	it('names the Tool Name to fix, and says a vector store is connected rather than run', async () => {
		const { ctx } = context(new VectorMemoryStore(), { mode: 'retrieve-as-tool', toolName: 'has space', toolDescription: 'd', backend: 'embedded', namespace: 'kb' }, [{ json: { input: 'x' } }]);
		await expect(new VectorMemoryStore().execute.call(ctx)).rejects.toThrow('Invalid Tool Name "has space"');
		const { ctx: asStore } = context(new VectorMemoryStore(), { mode: 'retrieve', backend: 'embedded', namespace: 'kb' });
		await expect(new VectorMemoryStore().execute.call(asStore)).rejects.toThrow(/sub-node: connect its Vector Store output/);
	});
});
