// The model an item's run talks to: the chat model sub-node on the Chat Model input, else the server of the "OpenAI-Compatible API" credential.
import { NodeConnectionTypes, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { canCallTools, ConnectedChatModel, isChatModel } from '../engine/connectedModel';
import { OpenAiChatModel } from '../engine/model';
import type { ChatModel } from '../engine/types';
import type { ItemSettings } from './options';
import type { ExecutionResources } from './resources';

/** The node on the Chat Model input, read from the workflow (no sub-node runs for it); undefined when none is connected. */
export function chatModelNodeName(ctx: IExecuteFunctions): string | undefined {
	// Run as another agent's tool, the node has no inputs at all.
	if (typeof ctx.getNodeInputs !== 'function' || !ctx.getNodeInputs().some((input) => input.type === NodeConnectionTypes.AiLanguageModel)) return undefined;
	const parents = ctx.getParentNodes(ctx.getNode().name, { connectionType: NodeConnectionTypes.AiLanguageModel, depth: 1 });
	return parents.find((parent) => !parent.disabled)?.name;
}

async function suppliedChatModel(ctx: IExecuteFunctions, itemIndex: number, modelNode: string, toolCount: number): Promise<ChatModel> {
	const supplied = await ctx.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, itemIndex);
	const model = Array.isArray(supplied) ? supplied[0] : supplied;
	if (!isChatModel(model)) {
		throw new NodeOperationError(ctx.getNode(), `The node on the Chat Model input ("${modelNode}") is not a chat model`, {
			description: 'Connect a chat model node there, e.g. OpenAI Chat Model, Anthropic Chat Model or Ollama Chat Model (text-completion models cannot call tools).',
			itemIndex,
		});
	}
	if (toolCount > 0 && !canCallTools(model)) {
		throw new NodeOperationError(ctx.getNode(), `The chat model "${modelNode}" cannot call tools`, {
			description: 'Connect a chat model that supports tool calling, or turn off the built-in tools and disconnect the tool nodes.',
			itemIndex,
		});
	}
	return new ConnectedChatModel(model, modelNode);
}

/** The connected chat model when there is one (its own settings apply); else the credential's server with the node's model settings. */
export async function chatModelForItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: ItemSettings,
	resources: ExecutionResources,
	toolCount: number,
): Promise<ChatModel> {
	if (resources.chatModelNode) return suppliedChatModel(ctx, itemIndex, resources.chatModelNode, toolCount);
	const { apiKey, baseUrl, organization, extraHeaders } = resources.connection;
	return new OpenAiChatModel({
		apiKey,
		baseUrl,
		organization,
		extraHeaders,
		model: settings.model,
		temperature: settings.temperature,
		maxTokens: settings.maxTokens,
		transport: resources.transport,
	});
}
