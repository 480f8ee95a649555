// The Embedding input: the Embeddings sub-node connected to a node, as an embedder that names it in every error.
import { NodeConnectionTypes, type IExecuteFunctions, type ISupplyDataFunctions } from 'n8n-workflow';
import { AgenticError } from '../../shared/errors';
import { EmbeddingsModelEmbedder, isEmbeddingsModel, type Embedder } from '../embeddings';

type Context = IExecuteFunctions | ISupplyDataFunctions;

/** The connected sub-node's name, as the user sees it on the canvas; n8n's contexts have getParentNodes at run time, if not in every type. */
function subNodeName(ctx: Context): string | undefined {
	const parents = (ctx as Partial<Pick<IExecuteFunctions, 'getParentNodes'>>).getParentNodes?.(ctx.getNode().name, {
		connectionType: NodeConnectionTypes.AiEmbedding,
		depth: 1,
	});
	return parents?.[0]?.name;
}

/** Whether the node declares an Embedding input (a node used as a tool has none). */
function hasEmbeddingInput(ctx: Context): boolean {
	const inputs = (ctx as Partial<Pick<IExecuteFunctions, 'getNodeInputs'>>).getNodeInputs?.() ?? [];
	return inputs.some((input) => input.type === NodeConnectionTypes.AiEmbedding);
}

/** The embedder of the connected Embeddings sub-node, or undefined when none is connected. */
export async function embeddingInputEmbedder(ctx: Context): Promise<Embedder | undefined> {
	if (!hasEmbeddingInput(ctx)) return undefined;
	const supplied = await ctx.getInputConnectionData(NodeConnectionTypes.AiEmbedding, 0);
	const model = Array.isArray(supplied) ? supplied[0] : supplied;
	if (model === undefined || model === null) return undefined;
	const name = subNodeName(ctx);
	const source = name ? `the Embeddings sub-node "${name}"` : 'the Embeddings sub-node';
	if (!isEmbeddingsModel(model)) {
		throw new AgenticError('invalid_input', `${source.replace(/^t/, 'T')} supplies no embeddings model`, {
			field: 'embedding',
			description: 'Connect an Embeddings sub-node (e.g. Embeddings OpenAI or Embeddings Ollama) to the Embedding input.',
		});
	}
	return new EmbeddingsModelEmbedder(model, source);
}
