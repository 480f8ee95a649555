// Opens the memory an execution works on: the chosen backend's store, and the embedder for the operations that embed.
import { NodeOperationError, type IExecuteFunctions, type ISupplyDataFunctions } from 'n8n-workflow';
import { n8nTransport } from '../../shared/n8nHttp';
import { openAiConnection } from '../../shared/openAiCompatible';
import { createBackend, type BackendName } from '../backends';
import { OpenAiEmbedder, type Embedder } from '../embeddings';
import { VectorMemory } from '../memory';
import { embeddingInputEmbedder } from './embeddingInput';
import type { NodeOutput } from './output';

export type Operation = 'clear' | 'delete' | 'insert' | 'query' | 'stats';

/** Clear, Delete and Stats never embed, so they need no embeddings credential. */
const noEmbeddings: Embedder = { embed: async () => [] };

async function embeddingsCredential(ctx: IExecuteFunctions | ISupplyDataFunctions) {
	try {
		return await ctx.getCredentials('openAiCompatibleAgenticApi');
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'No embeddings: connect an Embeddings sub-node or choose an OpenAI-compatible credential', {
			description: 'Connect any Embeddings sub-node (OpenAI, Ollama, Cohere…) to the Embedding input, or choose an OpenAI-Compatible API credential.',
		});
	}
}

/** The Embeddings sub-node when one is connected, else the OpenAI-Compatible API of the node's credential. */
export async function embedderOf(ctx: IExecuteFunctions | ISupplyDataFunctions, secrets: string[]): Promise<Embedder> {
	const fromSubNode = await embeddingInputEmbedder(ctx);
	if (fromSubNode) return fromSubNode;
	const connection = openAiConnection(await embeddingsCredential(ctx));
	secrets.push(...connection.secrets);
	const dimensions = ctx.getNodeParameter('dimensions', 0, 0) as number;
	return new OpenAiEmbedder({
		apiKey: connection.apiKey,
		baseUrl: connection.baseUrl,
		organization: connection.organization,
		headers: connection.extraHeaders,
		model: ctx.getNodeParameter('model', 0) as string,
		dimensions: dimensions > 0 ? dimensions : undefined,
		transport: n8nTransport(ctx),
	});
}

async function embedderFor(ctx: IExecuteFunctions, operation: Operation, secrets: string[]): Promise<Embedder> {
	return operation === 'insert' || operation === 'query' ? embedderOf(ctx, secrets) : noEmbeddings;
}

/**
 * The memory for this execution, or undefined when it cannot open: without a backend no item can run, so each item
 * fails with the reason (thrown at the first, or one error item each under Continue On Fail).
 */
export async function openMemory(ctx: IExecuteFunctions, operation: Operation, itemCount: number, output: NodeOutput): Promise<VectorMemory | undefined> {
	let store: Awaited<ReturnType<typeof createBackend>>['store'] | undefined;
	try {
		const created = await createBackend(ctx, ctx.getNodeParameter('backend', 0) as BackendName);
		store = created.store;
		output.secrets.push(...created.secrets);
		return new VectorMemory(store, await embedderFor(ctx, operation, output.secrets));
	} catch (error) {
		await store?.close().catch(() => undefined);
		for (let i = 0; i < itemCount; i++) output.fail(error, i);
		return undefined;
	}
}
