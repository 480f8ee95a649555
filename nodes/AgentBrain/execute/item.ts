// One input item through the agent: its settings and tools, the conversation so far (a Memory node or the session store), the run, and the turn kept.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { advanceAgent, type AgentResume, type PausedRun } from '../engine/loop';
import { DEFAULT_KEEP_TURNS } from '../engine/memory';
import { connectedMemory } from './chatMemory';
import { chatModelForItem } from './chatModel';
import { readItemSettings, type ItemSettings } from './options';
import { resultToJson, type TraceOutput } from './output';
import type { ExecutionResources } from './resources';
import { assembleTools } from './tools';
import type { OutsideCall } from '../engine/types';

/** An item's run ended with its output, or paused while n8n's engine runs the tools it called. */
export type ItemStep = { output: INodeExecutionData } | { paused: PausedRun; settings: ItemSettings; calls: OutsideCall[] };

/** A paused run going on: the state and the tool results; whether the pause counts is the Timeout option's to say. */
export type ItemResume = Omit<AgentResume, 'countPause'> & { settings: ItemSettings; askedApproval: boolean };

/**
 * `signal` stops the run: the execution was cancelled, or another item failed. `resume` goes on with a paused run: it
 * carries its conversation, so the memory is read only when the run starts and written only when it ends.
 */
export async function runItem(ctx: IExecuteFunctions, itemIndex: number, resources: ExecutionResources, signal?: AbortSignal, resume?: ItemResume): Promise<ItemStep> {
	const settings = resume?.settings ?? readItemSettings(ctx, itemIndex);
	const tools = await assembleTools(ctx, settings.builtInTools, itemIndex, resources);
	const { sessionId, memoryTurns } = settings;
	const memory = await connectedMemory(ctx, itemIndex);
	// A connected Memory node holds the conversation; the node's own session store serves only without one.
	const conversations = !memory && sessionId ? await resources.conversations() : undefined;
	const history = resume ? [] : memory ? await memory.load() : conversations ? await conversations.load(sessionId, memoryTurns) : [];
	const model = await chatModelForItem(ctx, itemIndex, settings, resources, tools.length);
	// A Chat Trigger or a streaming webhook gets the words as the model writes them; the item's output is the same.
	const streaming = typeof ctx.isStreaming === 'function' && ctx.isStreaming();
	if (streaming) ctx.sendChunk('begin', itemIndex);
	const countPause = !resume?.askedApproval || settings.timeoutCountsApprovalWait;
	const step = await advanceAgent({
		model,
		task: settings.task,
		systemMessage: settings.systemMessage,
		tools,
		history,
		maxIterations: settings.maxIterations,
		timeoutMs: settings.timeoutMs,
		tokenBudget: settings.tokenBudget,
		requireCitations: settings.requireCitations,
		outputSchema: settings.outputSchema,
		signal: signal ?? ctx.getExecutionCancelSignal?.(),
		secrets: resources.secrets(),
		onText: streaming ? (text) => ctx.sendChunk('item', itemIndex, text) : undefined,
	}, resume && { state: resume.state, results: resume.results, countPause }).finally(() => {
		if (streaming) ctx.sendChunk('end', itemIndex);
	});
	if (!step.finished) return { paused: step.state, settings, calls: step.calls };
	const { result } = step;
	if (memory) await memory.save(settings.task, result.answer);
	else if (conversations) await conversations.append(sessionId, result.turn, Math.max(DEFAULT_KEEP_TURNS, memoryTurns));
	// As another agent's tool, the result is read by a model: the trace would only cost it tokens.
	const trace: TraceOutput = !resources.hasToolInput ? 'none' : settings.traceMarkdown ? 'json+markdown' : 'json';
	return { output: { json: resultToJson(result, trace, sessionId), pairedItem: { item: itemIndex } } };
}
