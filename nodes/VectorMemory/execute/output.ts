// The node's output as it is built: result items, and failures as n8n errors — thrown, or kept as items under Continue On Fail.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { errorItem, toNodeError } from '../../shared/nodeErrors';

export class NodeOutput {
	readonly items: INodeExecutionData[] = [];
	/** Every key and password in use, kept out of the error texts. */
	readonly secrets: string[] = [];

	constructor(private readonly ctx: IExecuteFunctions) {}

	add(json: IDataObject, itemIndexes: number | number[]): void {
		const pairedItem = Array.isArray(itemIndexes) ? itemIndexes.map((item) => ({ item })) : { item: itemIndexes };
		this.items.push({ json, pairedItem });
	}

	/** Throws the failure as an n8n error naming what to fix, or under Continue On Fail keeps it as the item's output. */
	fail(error: unknown, itemIndex: number): void {
		const nodeError = toNodeError(this.ctx, error, itemIndex, this.secrets);
		if (!this.ctx.continueOnFail()) throw nodeError;
		this.items.push(errorItem(nodeError, itemIndex));
	}
}
