// The agent loop (ReAct, like LangGraph's prebuilt agent): ask the model, run the tools it calls, feed back the results, until it answers or a guard stops it.
import { AgenticError } from '../../shared/errors';
import { Conversation } from './conversation';
import { DEFAULT_MAX_ITERATIONS } from './defaults';
import { answerAfterStop } from './finalAnswer';
import { RepeatGuard } from './repeatGuard';
import { buildResult } from './result';
import { startRunClock } from './runClock';
import { settleStructuredAnswer } from './structuredOutput';
import { SecretSafeText } from './textStream';
import { runToolCall, toolboxOf } from './toolRunner';
import type { AgentResult, AgentTool, ChatMessage, ChatModel, JsonSchema, StopReason, ToolCallRecord } from './types';

export interface AgentRunOptions {
	model: ChatModel;
	/** What the user wants done. Required, not blank. */
	task: string;
	systemMessage?: string;
	tools?: AgentTool[];
	/** Earlier turns of the conversation (from memory), oldest first. */
	history?: ChatMessage[];
	/** Model calls with tools available before the agent must answer (default 10). */
	maxIterations?: number;
	/** Wall-clock limit for the whole run, in ms; 0 or absent: none. */
	timeoutMs?: number;
	/** Total tokens (prompt + completion, all calls) the run may spend; 0 or absent: none. */
	tokenBudget?: number;
	/** Ask the model to cite tool-returned URLs, and report cited URLs no tool returned. */
	requireCitations?: boolean;
	/** The answer must be JSON matching this schema; it is parsed into `data`. */
	outputSchema?: JsonSchema;
	/** Cancels the run (e.g. the workflow execution was stopped). */
	signal?: AbortSignal;
	/** Values that must not appear in the trace (API keys). */
	secrets?: Array<string | undefined>;
	/** Streams the model's words as they are written (every call's text, as n8n's AI Agent streams); the result is the same. */
	onText?: (text: string) => void;
}

/** The task and the iteration limit, refused before any model call when the user must fix them. */
function checkedInput(options: AgentRunOptions): { task: string; maxIterations: number } {
	const task = typeof options.task === 'string' ? options.task : '';
	if (task.trim() === '') {
		throw new AgenticError('invalid_input', 'The task is empty', {
			field: 'Task',
			description: 'Give the agent something to do: type a task, or map it from an earlier node with an expression.',
		});
	}
	const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
	if (!Number.isInteger(maxIterations) || maxIterations < 1) {
		throw new AgenticError('invalid_input', `Max iterations must be a whole number of at least 1 (got ${maxIterations})`, {
			field: 'Max Iterations',
			description: `Set Max Iterations to 1 or more (${DEFAULT_MAX_ITERATIONS} suits most tasks).`,
		});
	}
	return { task, maxIterations };
}

/**
 * Runs one task to its end. Model/API failures throw AgenticError; everything the model can fix (bad arguments,
 * failing tools, loops) goes back to it as an observation, and every guard ends the run with a `stopReason`.
 */
export async function runAgent(options: AgentRunOptions): Promise<AgentResult> {
	const { task, maxIterations } = checkedInput(options);
	const toolbox = toolboxOf(options.tools ?? []);
	const clock = startRunClock(options.timeoutMs, options.signal);
	const text = options.onText ? new SecretSafeText(options.onText, options.secrets ?? []) : undefined;
	const conversation = new Conversation(options.model, clock, toolbox.definitions, { ...options, task, text });
	const tokenBudget = options.tokenBudget && options.tokenBudget > 0 ? options.tokenBudget : undefined;
	const overBudget = () => tokenBudget !== undefined && conversation.usage.totalTokens >= tokenBudget;
	const guard = new RepeatGuard();
	const records: ToolCallRecord[] = [];
	const sources = new Set<string>();
	let iterations = 0;
	let stopReason: StopReason | undefined;
	let answer = '';
	try {
		while (stopReason === undefined) {
			stopReason = clock.timedOut() ? 'timeout' : overBudget() ? 'token_budget' : iterations >= maxIterations ? 'max_iterations' : undefined;
			if (stopReason) break;
			const response = await conversation.ask(++iterations, true);
			const calls = response?.message.tool_calls ?? [];
			if (!response) stopReason = 'timeout';
			else if (calls.length === 0) {
				answer = response.message.content ?? '';
				conversation.answered(response.message);
				stopReason = 'completed';
			} else if (overBudget()) stopReason = 'token_budget';
			else {
				const repeats = guard.repeats(calls);
				const outcomes = await Promise.all(calls.map((call, i) => runToolCall(call, toolbox, { iteration: iterations, repeated: repeats[i], clock })));
				const escalation = outcomes.find((outcome) => outcome.escalation)?.escalation;
				if (escalation) throw escalation;
				conversation.toolRound(response.message, outcomes);
				records.push(...outcomes.map((outcome) => outcome.record));
				for (const url of outcomes.flatMap((outcome) => outcome.urls)) sources.add(url);
			}
		}
		const mayAsk = () => !clock.timedOut() && !overBudget();
		if (stopReason !== 'completed') ({ answer, stopReason } = await answerAfterStop(conversation, stopReason, iterations, mayAsk()));
		const structured = options.outputSchema ? await settleStructuredAnswer(conversation, answer, options.outputSchema, iterations, mayAsk()) : undefined;
		if (structured && !structured.check.ok && stopReason === 'completed') stopReason = 'invalid_output';
		const { usage, trace, turn } = conversation;
		const finished = { answer: structured?.answer ?? answer, stopReason, iterations, toolCalls: records, usage, trace, turn, sources };
		return buildResult({ ...finished, structured: structured?.check, requireCitations: options.requireCitations }, options.secrets ?? []);
	} finally {
		clock.stop();
	}
}
