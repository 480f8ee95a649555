// Agent Brain node: declares the node and runs each item through the agent; the work lives in execute/ and the engine.
import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { errorItem, toNodeError } from '../shared/nodeErrors';
import { agentBrainCredentials, agentBrainProperties } from './description';
import { runItem } from './execute/item';
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
		description: 'An agent that plans with an OpenAI-compatible model and calls tools (web search, long-term memory, any connected n8n tool) until the task is done',
		defaults: { name: 'Agent Brain' },
		usableAsTool: true,
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tool', required: false },
			// For the memory tools: an Embeddings sub-node embeds instead of the credential's API when connected.
			embeddingInput,
		],
		outputs: [NodeConnectionTypes.Main],
		credentials: agentBrainCredentials,
		properties: agentBrainProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resources = await ExecutionResources.open(this);
		const output: INodeExecutionData[] = [];
		try {
			for (let i = 0; i < items.length; i++) {
				try {
					output.push(await runItem(this, i, resources));
				} catch (error) {
					const nodeError = toNodeError(this, error, i, resources.secrets());
					if (!this.continueOnFail()) throw nodeError;
					output.push(errorItem(nodeError, i));
				}
			}
		} finally {
			await resources.close();
		}
		return [output];
	}
}
