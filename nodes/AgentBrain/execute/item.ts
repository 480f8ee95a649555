// One input item through the agent: its settings and tools, the conversation so far (a Memory node or the session store), the run, and the turn kept.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runAgent } from '../engine/loop';
import { DEFAULT_KEEP_TURNS } from '../engine/memory';
import { connectedMemory } from './chatMemory';
import { chatModelForItem } from './chatModel';
import { readItemSettings } from './options';
import { resultToJson, type TraceOutput } from './output';
import type { ExecutionResources } from './resources';
import { assembleTools } from './tools';

/** `signal` stops the run: the execution was cancelled, or another item failed. */
export async function runItem(ctx: IExecuteFunctions, itemIndex: number, resources: ExecutionResources, signal?: AbortSignal): Promise<INodeExecutionData> {
	const settings = readItemSettings(ctx, itemIndex);
	const tools = await assembleTools(ctx, settings.builtInTools, itemIndex, resources);
	const { sessionId, memoryTurns } = settings;
	const memory = await connectedMemory(ctx, itemIndex);
	// A connected Memory node holds the conversation; the node's own session store serves only without one.
	const conversations = !memory && sessionId ? await resources.conversations() : undefined;
	const history = memory ? await memory.load() : conversations ? await conversations.load(sessionId, memoryTurns) : [];
	const model = await chatModelForItem(ctx, itemIndex, settings, resources, tools.length);
	// A Chat Trigger or a streaming webhook gets the words as the model writes them; the item's output is the same.
	const streaming = typeof ctx.isStreaming === 'function' && ctx.isStreaming();
	if (streaming) ctx.sendChunk('begin', itemIndex);
	const result = await runAgent({
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
	}).finally(() => {
		if (streaming) ctx.sendChunk('end', itemIndex);
	});
	if (memory) await memory.save(settings.task, result.answer);
	else if (conversations) await conversations.append(sessionId, result.turn, Math.max(DEFAULT_KEEP_TURNS, memoryTurns));
	// As another agent's tool, the result is read by a model: the trace would only cost it tokens.
	const trace: TraceOutput = !resources.hasToolInput ? 'none' : settings.traceMarkdown ? 'json+markdown' : 'json';
	return { json: resultToJson(result, trace, sessionId), pairedItem: { item: itemIndex } };
}
