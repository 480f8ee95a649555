// Agent Brain node: declares the node and runs each item through the agent; the work lives in execute/ and the engine.
import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { agentBrainCredentials, agentBrainProperties } from './description';
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

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resources = await ExecutionResources.open(this);
		try {
			return [await runItems(this, this.getInputData().length, resources)];
		} finally {
			await resources.close();
		}
	}
}
