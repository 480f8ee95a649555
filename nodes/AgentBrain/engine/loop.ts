// The agent loop (ReAct, like LangGraph's prebuilt agent): ask the model, run the tools it calls, feed back the results, until it answers or a guard stops it; a step function that can pause while the caller runs tools.
import { AgenticError } from '../../shared/errors';
import { Conversation, type ConversationSnapshot } from './conversation';
import { DEFAULT_MAX_ITERATIONS } from './defaults';
import { answerAfterStop } from './finalAnswer';
import { RepeatGuard } from './repeatGuard';
import { buildResult } from './result';
import { startRunClock } from './runClock';
import { settleStructuredAnswer } from './structuredOutput';
import { SecretSafeText } from './textStream';
import { finishOutsideCall, startToolCall, toolboxOf, type ToolCallOutcome } from './toolRunner';
import { redactJson } from './trace';
import type { AgentResult, AgentTool, AssistantMessage, ChatMessage, ChatModel, JsonSchema, OutsideCall, OutsideResult, StopReason, ToolCallRecord } from './types';

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

/** A tool round cut short by a pause: the model's calls, and the outcomes of those answered already. */
export interface PausedRound {
	message: AssistantMessage;
	iteration: number;
	/** By call position; null where the caller runs the call. */
	settled: Array<Omit<ToolCallOutcome, 'escalation'> | null>;
	/** When the round's calls were handed over (epoch ms). */
	startedAt: number;
}

/** Everything a run needs to go on after a pause, as plain JSON with secrets removed: it travels in n8n's execution data. */
export interface PausedRun {
	conversation: ConversationSnapshot;
	/** The repeat guard's counts: a model looping through paused calls is caught too. */
	repeats: Array<[string, number]>;
	records: ToolCallRecord[];
	sources: string[];
	iterations: number;
	/** Time counted against the time limit when the run paused. */
	usedMs: number;
	/** When it paused (epoch ms). */
	pausedAt: number;
	round: PausedRound;
}

export interface AgentResume {
	state: PausedRun;
	/** What came of the calls the run handed over; a call without one is answered as failed. */
	results: OutsideResult[];
	/** Whether the time the run was paused counts against its time limit (not while a person decides, unless the user says so). */
	countPause: boolean;
}

/** A run's step: it finished, or it paused until the caller has run `calls`. */
export type AgentStep = { finished: true; result: AgentResult } | { finished: false; calls: OutsideCall[]; state: PausedRun };

/** The outcomes of a paused round, in call order, with the caller's results in place of the calls it ran. */
function resumedOutcomes(round: PausedRound, results: OutsideResult[]): ToolCallOutcome[] {
	const calls = round.message.tool_calls ?? [];
	const ms = Math.max(0, Date.now() - round.startedAt);
	return round.settled.map((settled, index) => {
		if (settled) return settled;
		const call = calls[index];
		const result = results.find((candidate) => candidate.id === call.id) ?? { id: call.id, problem: `${call.function.name} returned no result` };
		return finishOutsideCall(call, result, round.iteration, ms);
	});
}

/**
 * Runs one task until it ends, or until the model calls tools with `handOver`: then the step hands those calls to
 * the caller with the run's state, and `advanceAgent(options, { state, results })` goes on from there as if it never
 * stopped. Model/API failures throw AgenticError; everything the model can fix (bad arguments, failing tools, loops)
 * goes back to it as an observation, and every guard ends the run with a `stopReason`.
 */
export async function advanceAgent(options: AgentRunOptions, resume?: AgentResume): Promise<AgentStep> {
	const { task, maxIterations } = checkedInput(options);
	const toolbox = toolboxOf(options.tools ?? []);
	const paused = resume?.state;
	const pauseMs = paused && resume.countPause ? Math.max(0, Date.now() - paused.pausedAt) : 0;
	const clock = startRunClock(options.timeoutMs, options.signal, paused ? paused.usedMs + pauseMs : 0);
	const secrets = options.secrets ?? [];
	const text = options.onText ? new SecretSafeText(options.onText, secrets) : undefined;
	const conversation = new Conversation(options.model, clock, toolbox.definitions, { ...options, task, text }, paused?.conversation);
	const tokenBudget = options.tokenBudget && options.tokenBudget > 0 ? options.tokenBudget : undefined;
	const overBudget = () => tokenBudget !== undefined && conversation.usage.totalTokens >= tokenBudget;
	const guard = new RepeatGuard(paused?.repeats);
	const records: ToolCallRecord[] = paused?.records.slice() ?? [];
	const sources = new Set<string>(paused?.sources);
	const settle = (message: AssistantMessage, outcomes: ToolCallOutcome[]) => {
		conversation.toolRound(message, outcomes);
		records.push(...outcomes.map((outcome) => outcome.record));
		for (const url of outcomes.flatMap((outcome) => outcome.urls)) sources.add(url);
	};
	let iterations = paused?.iterations ?? 0;
	let stopReason: StopReason | undefined;
	let answer = '';
	try {
		if (paused) settle(paused.round.message, resumedOutcomes(paused.round, resume.results));
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
				const started = await Promise.all(calls.map((call, i) => startToolCall(call, toolbox, { iteration: iterations, repeated: repeats[i], clock })));
				const escalation = started.find((call) => 'outcome' in call && call.outcome.escalation);
				if (escalation && 'outcome' in escalation) throw escalation.outcome.escalation;
				const outside = started.flatMap((call) => ('outside' in call ? [call.outside] : []));
				if (outside.length === 0) settle(response.message, started.map((call) => (call as { outcome: ToolCallOutcome }).outcome));
				else {
					const round: PausedRound = { message: response.message, iteration: iterations, settled: started.map((call) => ('outcome' in call ? call.outcome : null)), startedAt: Date.now() };
					const state: PausedRun = { conversation: conversation.snapshot(), repeats: guard.snapshot(), records, sources: [...sources], iterations, usedMs: clock.usedMs(), pausedAt: Date.now(), round };
					return { finished: false, calls: redactJson(outside, secrets), state: redactJson(state, secrets) };
				}
			}
		}
		const mayAsk = () => !clock.timedOut() && !overBudget();
		if (stopReason !== 'completed') ({ answer, stopReason } = await answerAfterStop(conversation, stopReason, iterations, mayAsk()));
		const structured = options.outputSchema ? await settleStructuredAnswer(conversation, answer, options.outputSchema, iterations, mayAsk()) : undefined;
		if (structured && !structured.check.ok && stopReason === 'completed') stopReason = 'invalid_output';
		const { usage, trace, turn } = conversation;
		const finished = { answer: structured?.answer ?? answer, stopReason, iterations, toolCalls: records, usage, trace, turn, sources };
		return { finished: true, result: buildResult({ ...finished, structured: structured?.check, requireCitations: options.requireCitations }, secrets) };
	} finally {
		clock.stop();
	}
}

/** Runs one task to its end, every tool in-process (a tool with `handOver` needs `advanceAgent`). */
export async function runAgent(options: AgentRunOptions): Promise<AgentResult> {
	const step = await advanceAgent(options);
	if (!step.finished) {
		throw new AgenticError('invalid_input', `The tool "${step.calls[0].name}" must be run by the caller`, {
			description: 'Run the agent with advanceAgent, which hands such calls over and goes on with their results.',
		});
	}
	return step.result;
}
