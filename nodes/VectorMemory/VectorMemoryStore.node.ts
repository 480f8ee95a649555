// The Vector Memory Store node: Vector Memory as a sub-node, a vector store for n8n's chains and retrievers or a tool for its AI Agent.
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, ISupplyDataFunctions, SupplyData } from 'n8n-workflow';
import { vectorMemoryStoreCredentials, vectorMemoryStoreDescriptionLiteral } from './descriptions/VectorMemoryStoreDescription';
import { runAsTool, supplyVectorMemory } from './execute/supply';

/**
 * A node of its own: n8n refuses supplyData on a node that is also usable as a tool, as the Vector Memory node is; and
 * being a sub-node with a tool mode of its own, it is not offered as a generic tool either.
 */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class VectorMemoryStore implements INodeType {
	description: INodeTypeDescription = {
		...vectorMemoryStoreDescriptionLiteral,
		displayName: 'Vector Memory Store',
		icon: { light: 'file:vectorMemory.svg', dark: 'file:vectorMemory.dark.svg' },
		subtitle: '={{$parameter["mode"] === "retrieve-as-tool" ? "as tool: " + $parameter["namespace"] : "vector store: " + $parameter["namespace"]}}',
		credentials: vectorMemoryStoreCredentials,
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		return supplyVectorMemory(this, itemIndex);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return runAsTool(this);
	}
}
