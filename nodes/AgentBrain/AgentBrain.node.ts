// Agent Brain node: declares the node and runs each item through the agent; the work lives in execute/ and the engine.
import { NodeConnectionTypes, type EngineResponse, type IExecuteFunctions, type INodeType, type INodeTypeDescription, type NodeOutput } from 'n8n-workflow';
import { agentBrainCredentials, agentBrainProperties } from './description';
import { asksApproval, type ToolAction } from './execute/engineTools';
import { runItems } from './execute/items';
import { ExecutionResources } from './execute/resources';
import { embeddingInput } from '../VectorMemory/descriptions/VectorMemoryDescription';

export class AgentBrain implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Agent Brain',
		name: 'agentBrain',
		icon: { light: 'file:agentBrain.svg', dark: 'file:agentBrain.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description: 'An agent that plans with any chat model (a connected Chat Model node or an OpenAI-Compatible API) and calls tools (web search, long-term memory, any connected n8n tool) until the task is done',
		defaults: { name: 'Agent Brain' },
		usableAsTool: true,
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiLanguageModel, displayName: 'Chat Model', required: false, maxConnections: 1 },
			{ type: NodeConnectionTypes.AiMemory, displayName: 'Memory', required: false, maxConnections: 1 },
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tool', required: false },
			// For the memory tools: an Embeddings sub-node embeds instead of the credential's API when connected.
			embeddingInput,
		],
		outputs: [NodeConnectionTypes.Main],
		credentials: agentBrainCredentials,
		properties: agentBrainProperties,
	};

	/**
	 * Connected tools are run by n8n's engine, as n8n's AI Agent has them run: the node returns a request for the tool
	 * runs, and n8n calls it again with their results (`response`) until every item has its answer.
	 */
	async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<NodeOutput> {
		const resources = await ExecutionResources.open(this, (response?.actionResponses?.length ?? 0) > 0);
		let keep = false;
		try {
			const outcome = await runItems(this, this.getInputData().length, resources, response);
			if (!('request' in outcome)) return [outcome.outputs];
			// Waiting for a person may take days, and the execution may resume on another worker: nothing is kept then.
			keep = !asksApproval(outcome.request.actions as ToolAction[]);
			return outcome.request;
		} finally {
			if (keep) resources.keepOpen();
			else await resources.close();
		}
	}
}
