// The Vector Memory node: declares its description and dispatches each operation to the memory engine on the chosen backend.
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { backendCredentialTests } from './backends';
import { vectorMemoryCredentials, vectorMemoryDescriptionLiteral } from './descriptions/VectorMemoryDescription';
import { insertItems } from './execute/insert';
import { openMemory, type Operation } from './execute/open';
import { itemOperations, runEachItem } from './execute/operations';
import { NodeOutput } from './execute/output';

export class VectorMemory implements INodeType {
	description: INodeTypeDescription = {
		...vectorMemoryDescriptionLiteral,
		displayName: 'Vector Memory',
		icon: { light: 'file:vectorMemory.svg', dark: 'file:vectorMemory.dark.svg' },
		subtitle: '={{$parameter["operation"] + ": " + $parameter["backend"]}}',
		usableAsTool: true,
		credentials: vectorMemoryCredentials,
	};

	methods = { credentialTest: backendCredentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as Operation;
		if (operation !== 'insert' && !(operation in itemOperations)) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${String(operation)}"`, { description: 'Choose one of the Operation options.' });
		}
		const output = new NodeOutput(this);
		const memory = await openMemory(this, operation, items.length, output);
		if (!memory) return [output.items];
		try {
			if (operation === 'insert') await insertItems(this, memory, items, output);
			else await runEachItem(this, memory, itemOperations[operation], items.length, output);
			return [output.items];
		} finally {
			await memory.store.close();
		}
	}
}
