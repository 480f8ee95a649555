// The execution's items through the agent, several at a time (option Items in Parallel): outputs in input order, Continue On Fail per item, one failure or a cancel stops them all; items whose tools n8n's engine runs pause, and the node hands the engine one request for all of them.
import { NodeOperationError, type EngineRequest, type EngineResponse, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { errorItem, toNodeError, type NodeError } from '../../shared/nodeErrors';
import { DEFAULT_ITEMS_IN_PARALLEL } from '../engine/defaults';
import type { PausedRun } from '../engine/loop';
import type { OutsideResult } from '../engine/types';
import { memoryNodeName } from './chatMemory';
import { actionFor, asksApproval, outcomeOfResponse, type ActionMetadata, type ToolAction } from './engineTools';
import { runItem, type ItemStep } from './item';
import type { ItemSettings } from './options';
import type { ExecutionResources } from './resources';

/** A paused item: its run, the calls still out and the results already back. */
interface PausedItem {
	paused: PausedRun;
	/** The item's settings, read when it started: a resumed item does not read its parameters again. */
	settings: ItemSettings;
	waitingFor: string[];
	results: OutsideResult[];
	askedApproval: boolean;
}

/** Each item's state between the node's runs, kept in the engine request's metadata (n8n stores it with the execution). */
type ItemState = { output: INodeExecutionData } | PausedItem;

export interface ExecutionState {
	agentBrain: { items: Record<number, ItemState> };
}

export type ItemsOutcome = { outputs: INodeExecutionData[] } | { request: EngineRequest<ActionMetadata | ExecutionState> };

/** How many items run at once; a setting of the execution, read from the first item. */
function itemsInParallel(ctx: IExecuteFunctions): number {
	// A Memory node's session key is its own: items that may share a conversation run in order.
	if (memoryNodeName(ctx)) return 1;
	const value = Number(ctx.getNodeParameter('options.itemsInParallel', 0, DEFAULT_ITEMS_IN_PARALLEL));
	return Number.isInteger(value) && value >= 1 ? value : DEFAULT_ITEMS_IN_PARALLEL;
}

/** Items of one session share a conversation; with a Memory node, all items may. */
function sessionOf(ctx: IExecuteFunctions, itemIndex: number, sharedMemory: boolean): string {
	if (sharedMemory) return 'memory node';
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

function stateOf(response: EngineResponse | undefined): Record<number, ItemState> {
	const saved = (response?.metadata as Partial<ExecutionState> | undefined)?.agentBrain?.items;
	return saved && typeof saved === 'object' ? { ...saved } : {};
}

/** Hands each tool result to its paused item; an approved call's tool still has to run (`next`). Calls the engine did not answer fail. */
function takeResponses(response: EngineResponse | undefined, states: Record<number, ItemState>): ToolAction[] {
	const next: ToolAction[] = [];
	for (const actionResponse of (response?.actionResponses ?? []) as EngineResponse<ActionMetadata>['actionResponses']) {
		const state = states[actionResponse.action?.metadata?.itemIndex];
		if (!state || !('paused' in state) || !state.waitingFor.includes(actionResponse.action.id)) continue;
		const outcome = outcomeOfResponse(actionResponse);
		if ('next' in outcome) {
			next.push(outcome.next);
			continue;
		}
		state.results.push(outcome.result);
		state.waitingFor = state.waitingFor.filter((id) => id !== actionResponse.action.id);
	}
	const stillOut = new Set(next.map((action) => `${action.metadata.itemIndex}\u0000${action.id}`));
	for (const [index, state] of Object.entries(states)) {
		if (!('paused' in state)) continue;
		const lost = state.waitingFor.filter((id) => !stillOut.has(`${index}\u0000${id}`));
		state.results.push(...lost.map((id) => ({ id, problem: 'the workflow returned no result for this call' })));
		state.waitingFor = state.waitingFor.filter((id) => !lost.includes(id));
	}
	return next;
}

/** Items to run now: those not started, and paused ones with all their results back. */
function readyItems(count: number, states: Record<number, ItemState>): number[] {
	return Array.from({ length: count }, (_, index) => index).filter((index) => {
		const state = states[index];
		return !state || ('paused' in state && state.waitingFor.length === 0);
	});
}

export async function runItems(ctx: IExecuteFunctions, count: number, resources: ExecutionResources, response?: EngineResponse): Promise<ItemsOutcome> {
	const states = stateOf(response);
	const actions = takeResponses(response, states);
	const ready = readyItems(count, states);
	// Without Continue On Fail the first failure ends the execution: the items still running stop with it.
	const stop = new AbortController();
	const cancel = ctx.getExecutionCancelSignal?.();
	const signal = cancel ? AbortSignal.any([cancel, stop.signal]) : stop.signal;
	const sessions = new SessionQueue();
	const sharedMemory = Boolean(memoryNodeName(ctx));
	// A session with a paused item waits for it: the next turn must see the whole of the one before.
	const pausedSessions = new Set(Object.entries(states).flatMap(([index, state]) => ('paused' in state ? [sessionOf(ctx, Number(index), sharedMemory)] : [])));
	let failure: NodeError | undefined;
	let next = 0;
	const settle = (itemIndex: number, session: string, step: ItemStep) => {
		if ('output' in step) {
			states[itemIndex] = { output: step.output };
			pausedSessions.delete(session);
			return;
		}
		const itemActions = step.calls.map((call) => actionFor(call, itemIndex));
		states[itemIndex] = { paused: step.paused, settings: step.settings, waitingFor: itemActions.map((action) => action.id), results: [], askedApproval: asksApproval(itemActions) };
		actions.push(...itemActions);
		if (session) pausedSessions.add(session);
	};
	const runOne = async (itemIndex: number, session: string) => {
		const state = states[itemIndex];
		const resume = state && 'paused' in state ? { state: state.paused, settings: state.settings, results: state.results, askedApproval: state.askedApproval } : undefined;
		if (!resume && session && pausedSessions.has(session)) return;
		settle(itemIndex, session, await runItem(ctx, itemIndex, resources, signal, resume));
	};
	const worker = async () => {
		while (next < ready.length && failure === undefined && !signal.aborted) {
			const itemIndex = ready[next++];
			try {
				const session = sessionOf(ctx, itemIndex, sharedMemory);
				await sessions.run(session, () => runOne(itemIndex, session));
			} catch (error) {
				const nodeError = toNodeError(ctx, error, itemIndex, resources.secrets());
				if (ctx.continueOnFail()) states[itemIndex] = { output: errorItem(nodeError, itemIndex) };
				else if (failure === undefined) {
					failure = nodeError;
					stop.abort(nodeError);
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(itemsInParallel(ctx), ready.length) }, worker));
	if (failure) throw failure;
	// Items never started leave no output: the whole execution is stopped.
	if (cancel?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled');
	if (actions.length > 0) return { request: { actions, metadata: { agentBrain: { items: storable(states) } } } };
	return { outputs: Array.from({ length: count }, (_, index) => outputOf(states[index], index)) };
}

/** The states as plain JSON: an output keeps its json and pairing (an error item's error object stays out). */
function storable(states: Record<number, ItemState>): Record<number, ItemState> {
	return Object.fromEntries(Object.entries(states).map(([index, state]) => [index, 'output' in state ? { output: { json: state.output.json, pairedItem: state.output.pairedItem } } : state]));
}

function outputOf(state: ItemState | undefined, itemIndex: number): INodeExecutionData {
	if (state && 'output' in state) return state.output as INodeExecutionData;
	// Unreachable while every paused item has an action out; kept so an item is never silently dropped.
	return { json: { error: 'The item did not finish' }, pairedItem: { item: itemIndex } };
}
