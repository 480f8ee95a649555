// The Vector Memory node with an Embeddings sub-node on its Embedding input: texts and questions are embedded through it
// instead of the credential, and vectors it gets wrong are refused naming it, before anything is written.
import type { INodeExecutionData } from 'n8n-workflow';
import { VectorMemory } from '../../nodes/VectorMemory/VectorMemory.node';
import { fakeEmbedding, startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { executeContext, type Parameters } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

let openai: FakeOpenAI;

useTemporaryUserFolder();

beforeEach(async () => {
	openai = await startFakeOpenAI({ apiKey: 'sk-unused', embeddingDims: 16 });
});
afterEach(async () => {
	await openai.close();
});

/** What an Embeddings sub-node supplies (LangChain's Embeddings interface), recording its calls. */
function embeddingsModel(vectorOf: (text: string, position: number) => number[] = (text) => fakeEmbedding(text, 8)) {
	const calls: Array<{ method: string; texts: string[] }> = [];
	return {
		calls,
		embedDocuments: async (texts: string[]) => {
			calls.push({ method: 'embedDocuments', texts });
			return texts.map(vectorOf);
		},
		embedQuery: async (text: string) => {
			calls.push({ method: 'embedQuery', texts: [text] });
			return vectorOf(`query: ${text}`, 0);
		},
	};
}

function run(
	parameters: Parameters,
	options: { items?: INodeExecutionData[]; model?: unknown; credential?: boolean; continueOnFail?: boolean; subNodeName?: string } = {},
) {
	const nodeType = new VectorMemory();
	const context = executeContext({
		nodeType,
		items: options.items ?? [{ json: {} }],
		parameters,
		continueOnFail: options.continueOnFail,
		connectionData: options.model === undefined ? {} : { ai_embedding: options.model },
		credentials: options.credential ? { openAiCompatibleAgenticApi: { apiKey: 'sk-unused', baseUrl: openai.url, organization: '', extraHeaders: '{}' } } : {},
	});
	// n8n's context names the sub-nodes connected to a node; the helper does not, so the test gives the canvas's answer.
	Object.assign(context, {
		getParentNodes: (_name: string, query?: { connectionType?: string }) =>
			query?.connectionType === 'ai_embedding' && options.model !== undefined ? [{ name: options.subNodeName ?? 'Embeddings Ollama', type: 'x', typeVersion: 1, disabled: false }] : [],
	});
	return nodeType.execute.call(context).then(([out]) => out);
}

const docs = [
	{ json: { text: 'The cat sleeps on the sofa', source: 'pets' } },
	{ json: { text: 'Quarterly invoice for cloud servers', source: 'finance' } },
];

describe('Vector Memory Embedding input', () => {
	it('embeds documents with embedDocuments and questions with embedQuery, needing no credential', async () => {
		const model = embeddingsModel();
		const [inserted] = await run({ backend: 'embedded', operation: 'insert', namespace: 'sub' }, { items: docs, model });
		expect(inserted.json).toMatchObject({ documents: 2, chunks: 2 });
		expect(model.calls).toEqual([{ method: 'embedDocuments', texts: ['The cat sleeps on the sofa', 'Quarterly invoice for cloud servers'] }]);

		// The sub-node's query vector is the stored vector of the first text, so that text must come first.
		const sameAsCat = embeddingsModel((text) => fakeEmbedding(text.replace('query: cats on sofas', 'The cat sleeps on the sofa'), 8));
		const hits = await run({ backend: 'embedded', operation: 'query', namespace: 'sub', query: 'cats on sofas' }, { model: sameAsCat });
		expect(sameAsCat.calls).toEqual([{ method: 'embedQuery', texts: ['cats on sofas'] }]);
		expect(hits[0].json).toMatchObject({ text: 'The cat sleeps on the sofa', metadata: { source: 'pets' } });
		expect(hits[0].json.score).toBeCloseTo(1, 5);
		expect((await run({ backend: 'embedded', operation: 'stats', namespace: 'sub' }))[0].json).toEqual({ namespace: 'sub', count: 2, dimensions: 8 });
		expect(openai.requests).toHaveLength(0);
	});

	it('uses the sub-node rather than the credential when both are there', async () => {
		const model = embeddingsModel();
		await run({ backend: 'embedded', operation: 'insert', namespace: 'both' }, { items: docs, model, credential: true });
		expect(model.calls).toHaveLength(1);
		expect(openai.requests.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(0);
	});

	it('refuses vectors of another size than the namespace holds, naming both sizes and the sub-node', async () => {
		await run({ backend: 'embedded', operation: 'insert', namespace: 'sized' }, { items: docs, credential: true });
		const error = await run({ backend: 'embedded', operation: 'insert', namespace: 'sized' }, { items: docs, model: embeddingsModel(), subNodeName: 'Embeddings Ollama' }).catch((e) => e);
		expect(error.message).toBe(
			'Dimension mismatch: the embeddings from the Embeddings sub-node "Embeddings Ollama" have 8 dimensions but namespace "sized" holds vectors of 16 dimensions',
		);
		const queryError = await run({ backend: 'embedded', operation: 'query', namespace: 'sized', query: 'cat' }, { model: embeddingsModel() }).catch((e) => e);
		expect(queryError.message).toMatch(/Embeddings Ollama.*8 dimensions.*16 dimensions/);
	});

	it.each([
		['vectors of varying size', (text: string, i: number) => fakeEmbedding(text, i === 1 ? 6 : 8), /vectors of varying size \(8 and 6 dimensions\)/],
		['NaN', (text: string, i: number) => fakeEmbedding(text, 8).map((v, k) => (i === 1 && k === 3 ? NaN : v)), /vector 2 holds NaN at position 4/],
		['too few vectors', () => [] as number[], /vector 1 is not a list of numbers/],
	])('refuses %s from the sub-node, naming it, and writes nothing', async (_case, vectorOf, reason) => {
		const error = await run({ backend: 'embedded', operation: 'insert', namespace: 'bad' }, { items: docs, model: embeddingsModel(vectorOf), subNodeName: 'My Embeddings' }).catch((e) => e);
		expect(error.message).toMatch(/^The Embeddings sub-node "My Embeddings" returned unusable embeddings: /);
		expect(error.message).toMatch(reason);
		expect(error.description).toMatch(/Nothing was written/);
		expect((await run({ backend: 'embedded', operation: 'stats', namespace: 'bad' }))[0].json).toEqual({ namespace: 'bad', count: 0, dimensions: null });
	});

	it('keeps the items under Continue On Fail, each with the sub-node named in its error', async () => {
		const bad = embeddingsModel((text) => fakeEmbedding(text, 8).map(() => Number.POSITIVE_INFINITY));
		const out = await run({ backend: 'embedded', operation: 'insert', namespace: 'cof' }, { items: docs, model: bad, continueOnFail: true });
		expect(out).toHaveLength(2);
		for (const item of out) expect(item.json.error).toMatch(/Embeddings sub-node "Embeddings Ollama".*Infinity/);
	});

	it('without a sub-node or a credential, says to connect one or choose the other', async () => {
		const error = await run({ backend: 'embedded', operation: 'insert', namespace: 'none' }, { items: docs }).catch((e) => e);
		expect(error.message).toBe('No embeddings: connect an Embeddings sub-node or choose an OpenAI-compatible credential');
		// Stats never embeds, so it needs neither.
		expect((await run({ backend: 'embedded', operation: 'stats', namespace: 'none' }))[0].json).toMatchObject({ count: 0 });
	});
});
