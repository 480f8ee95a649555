// The operations that run once per item: Query, Delete, Clear and Stats, each from the item's parameters to its output.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { DEFAULT_TOP_K } from '../defaults';
import type { VectorMemory } from '../memory';
import type { Operation } from './open';
import type { NodeOutput } from './output';
import { commaList, parseFilter } from './parameters';

type ItemOperation = (ctx: IExecuteFunctions, memory: VectorMemory, namespace: string, itemIndex: number) => Promise<IDataObject[]>;

export const itemOperations: Record<Exclude<Operation, 'insert'>, ItemOperation> = {
	async query(ctx, memory, namespace, itemIndex) {
		const hits = await memory.query(namespace, ctx.getNodeParameter('query', itemIndex) as string, {
			topK: ctx.getNodeParameter('topK', itemIndex, DEFAULT_TOP_K) as number,
			minScore: ctx.getNodeParameter('minScore', itemIndex, 0) as number,
			filter: parseFilter(ctx, itemIndex),
		});
		return hits.map((hit) => ({ id: hit.id, text: hit.text, metadata: hit.metadata, score: hit.score }));
	},
	async delete(ctx, memory, namespace, itemIndex) {
		const ids = commaList(ctx.getNodeParameter('ids', itemIndex, '') as string);
		return [{ namespace, deleted: await memory.delete(namespace, { ids, filter: parseFilter(ctx, itemIndex) }) }];
	},
	async clear(_ctx, memory, namespace) {
		await memory.clear(namespace);
		return [{ namespace, cleared: true }];
	},
	async stats(_ctx, memory, namespace) {
		return [{ namespace, ...(await memory.stats(namespace)) }];
	},
};

/** Runs one operation for each item on its own namespace; a failing item fails alone under Continue On Fail. */
export async function runEachItem(ctx: IExecuteFunctions, memory: VectorMemory, run: ItemOperation, itemCount: number, output: NodeOutput): Promise<void> {
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			const namespace = ctx.getNodeParameter('namespace', itemIndex) as string;
			for (const json of await run(ctx, memory, namespace, itemIndex)) output.add(json, itemIndex);
		} catch (error) {
			output.fail(error, itemIndex);
		}
	}
}
