// The execution's items through the agent, several at a time (option Items in Parallel): outputs in input order, Continue On Fail per item, one failure or a cancel stops them all.
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { errorItem, toNodeError, type NodeError } from '../../shared/nodeErrors';
import { DEFAULT_ITEMS_IN_PARALLEL } from '../engine/defaults';
import { memoryNodeName } from './chatMemory';
import { runItem } from './item';
import type { ExecutionResources } from './resources';

/** How many items run at once; a setting of the execution, read from the first item. */
function itemsInParallel(ctx: IExecuteFunctions): number {
	// A Memory node's session key is its own: items that may share a conversation run in order.
	if (memoryNodeName(ctx)) return 1;
	const value = Number(ctx.getNodeParameter('options.itemsInParallel', 0, DEFAULT_ITEMS_IN_PARALLEL));
	return Number.isInteger(value) && value >= 1 ? value : DEFAULT_ITEMS_IN_PARALLEL;
}

function sessionOf(ctx: IExecuteFunctions, itemIndex: number): string {
	try {
		return String(ctx.getNodeParameter('sessionId', itemIndex, '') ?? '').trim();
	} catch {
		// The item's own run reports a broken expression.
		return '';
	}
}

/** Items of one session run in input order, each after the one before has stored its turn, so each sees the last. */
class SessionQueue {
	private readonly tails = new Map<string, Promise<unknown>>();

	run<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
		if (!sessionId) return work();
		const previous = this.tails.get(sessionId) ?? Promise.resolve();
		const next = previous.then(work, work);
		this.tails.set(sessionId, next.catch(() => undefined));
		return next;
	}
}

export async function runItems(ctx: IExecuteFunctions, count: number, resources: ExecutionResources): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = new Array(count);
	// Without Continue On Fail the first failure ends the execution: the items still running stop with it.
	const stop = new AbortController();
	const cancel = ctx.getExecutionCancelSignal?.();
	const signal = cancel ? AbortSignal.any([cancel, stop.signal]) : stop.signal;
	const sessions = new SessionQueue();
	let failure: NodeError | undefined;
	let next = 0;
	const worker = async () => {
		while (next < count && failure === undefined && !signal.aborted) {
			const itemIndex = next++;
			try {
				output[itemIndex] = await sessions.run(sessionOf(ctx, itemIndex), () => runItem(ctx, itemIndex, resources, signal));
			} catch (error) {
				const nodeError = toNodeError(ctx, error, itemIndex, resources.secrets());
				if (ctx.continueOnFail()) output[itemIndex] = errorItem(nodeError, itemIndex);
				else if (failure === undefined) {
					failure = nodeError;
					stop.abort(nodeError);
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(itemsInParallel(ctx), count) }, worker));
	if (failure) throw failure;
	// Items never started leave no output: the whole execution is stopped.
	if (cancel?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled');
	return output;
}
