// The agent loop (ReAct, like LangGraph's prebuilt agent): ask the model, run the tools it calls, feed back the results, until it answers or a guard stops it.
import { AgenticError } from '../../shared/errors';
import { checkCitations, extractUrls } from './citations';
import { canonicalJson, isPlainObject, validateJsonSchema } from './schema';
import { uniqueToolNames } from './tools';
import { redactJson, redactTrace } from './trace';
import type {
	AgentResult,
	AgentTool,
	ChatMessage,
	ChatModel,
	ChatResponse,
	JsonSchema,
	StopReason,
	TokenUsage,
	ToolCallRecord,
	ToolCallRequest,
	ToolDefinition,
	TraceEntry,
} from './types';

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
}

export const DEFAULT_MAX_ITERATIONS = 10;
/** A call identical to two earlier ones is not run a third time: the model is looping. */
export const MAX_IDENTICAL_CALLS = 2;
const SUMMARY_CHARS = 200;

const FINAL_ANSWER_PROMPT =
	'You have reached the maximum number of steps, so no more tools can be called. Using only the information gathered so far, give your best final answer to the task now, and say what remains uncertain.';

class RunTimedOut extends Error {
	constructor() {
		super('The time limit for this run was reached');
		this.name = 'RunTimedOut';
	}
}

/** Settles with the promise, or rejects when the signal aborts (for tools and models that ignore signals). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) return Promise.reject(signal.reason ?? new RunTimedOut());
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason ?? new RunTimedOut());
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

function errorText(error: unknown): string {
	if (error instanceof Error) return error.message || error.name;
	if (typeof error === 'string') return error;
	try {
		return JSON.stringify(error);
	} catch {
		return String(error);
	}
}

function observationOf(result: unknown): string {
	if (typeof result === 'string') return result;
	if (result === undefined) return '';
	try {
		return JSON.stringify(result) ?? String(result);
	} catch {
		return String(result);
	}
}

/** Finds the JSON value in an answer, tolerating a ```json fence or a sentence around it. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
	const candidates: string[] = [text.trim()];
	const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
	if (fenced) candidates.push(fenced[1].trim());
	const start = text.search(/[[{]/);
	const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
	if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
	let lastError = 'the answer is empty';
	for (const candidate of candidates) {
		if (!candidate) continue;
		try {
			return { ok: true, value: JSON.parse(candidate) };
		} catch (error) {
			lastError = `the answer is not valid JSON (${errorText(error)})`;
		}
	}
	return { ok: false, error: lastError };
}

function buildSystemMessage(options: AgentRunOptions): string | undefined {
	const parts: string[] = [];
	if (options.systemMessage && options.systemMessage.trim()) parts.push(options.systemMessage.trim());
	if (options.requireCitations) {
		parts.push(
			'Cite your sources: for each fact taken from a tool result, put the exact URL that the tool returned in your answer. Never cite a URL that no tool returned.',
		);
	}
	if (options.outputSchema) {
		parts.push(
			`Your final answer must be only a JSON value, without any other text, that matches this JSON Schema:\n${JSON.stringify(options.outputSchema)}`,
		);
	}
	return parts.length > 0 ? parts.join('\n\n') : undefined;
}

function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
	return {
		promptTokens: total.promptTokens + more.promptTokens,
		completionTokens: total.completionTokens + more.completionTokens,
		totalTokens: total.totalTokens + more.totalTokens,
	};
}

/**
 * Runs one task to its end. Model/API failures throw AgenticError; everything the model can fix (bad arguments,
 * failing tools, loops) goes back to it as an observation, and every guard ends the run with a `stopReason`.
 */
export async function runAgent(options: AgentRunOptions): Promise<AgentResult> {
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
			description: 'Set Max Iterations to 1 or more (10 suits most tasks).',
		});
	}
	const tools = uniqueToolNames(options.tools ?? []);
	const toolsByName = new Map(tools.map((tool) => [tool.name, tool]));
	const toolDefinitions: ToolDefinition[] = tools.map(({ name, description, parameters }) => ({ name, description, parameters }));
	const tokenBudget = options.tokenBudget && options.tokenBudget > 0 ? options.tokenBudget : undefined;

	const controller = new AbortController();
	const deadline = options.timeoutMs && options.timeoutMs > 0 ? Date.now() + options.timeoutMs : undefined;
	const timer = deadline === undefined ? undefined : setTimeout(() => controller.abort(new RunTimedOut()), options.timeoutMs);
	const onOuterAbort = () => controller.abort(options.signal?.reason ?? new Error('The run was cancelled'));
	if (options.signal?.aborted) onOuterAbort();
	else options.signal?.addEventListener('abort', onOuterAbort, { once: true });
	const timedOut = () => controller.signal.aborted && controller.signal.reason instanceof RunTimedOut;

	const messages: ChatMessage[] = [];
	const trace: TraceEntry[] = [];
	const system = buildSystemMessage(options);
	if (system) messages.push({ role: 'system', content: system });
	messages.push(...(options.history ?? []));
	const userMessage: ChatMessage = { role: 'user', content: task };
	messages.push(userMessage);
	for (const message of messages) trace.push(traceEntryOf(message, 0, 'sent'));
	const turn: ChatMessage[] = [userMessage];

	let usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
	let iterations = 0;
	let stopReason: StopReason = 'completed';
	let answer = '';
	let lastAssistantText = '';
	const records: ToolCallRecord[] = [];
	const callCounts = new Map<string, number>();
	const sources = new Set<string>();
	const overBudget = () => tokenBudget !== undefined && usage.totalTokens >= tokenBudget;

	/** One model call; undefined when the time limit cut it short. */
	const ask = async (iteration: number, withTools: boolean): Promise<ChatResponse | undefined> => {
		const started = performance.now();
		let response: ChatResponse | undefined;
		let failure: unknown;
		try {
			response = await raceAbort(
				options.model.complete({
					messages: messages.slice(),
					tools: withTools && toolDefinitions.length > 0 ? toolDefinitions : undefined,
					signal: controller.signal,
					timeoutMs: deadline === undefined ? undefined : Math.max(1, deadline - Date.now()),
				}),
				controller.signal,
			);
		} catch (error) {
			failure = error ?? new Error('The model call failed');
		}
		if (timedOut()) return undefined;
		if (failure !== undefined || !response) throw failure;
		usage = addUsage(usage, response.usage);
		const entry = traceEntryOf(response.message, iteration, 'received');
		entry.ms = performance.now() - started;
		entry.usage = response.usage;
		trace.push(entry);
		if (response.message.content) lastAssistantText = response.message.content;
		return response;
	};

	/** Runs one call; what it adds to the records and trace is returned, so concurrent calls are recorded in call order. */
	const runTool = async (
		call: ToolCallRequest,
		iteration: number,
		repeated: boolean,
	): Promise<{ message: ChatMessage; record: ToolCallRecord; entry: TraceEntry; refusedCredential?: AgenticError }> => {
		const started = performance.now();
		const name = call.function.name;
		let refusedCredential: AgenticError | undefined;
		let parsed: unknown = call.function.arguments;
		let content: string;
		let failure: string | undefined;
		const fail = (problem: string) => {
			failure = problem;
			return `Error: ${problem}\nPlease fix your mistakes.`;
		};
		try {
			parsed = call.function.arguments.trim() === '' ? {} : JSON.parse(call.function.arguments);
		} catch (error) {
			parsed = call.function.arguments;
			failure = `the arguments are not valid JSON (${errorText(error)})`;
		}
		const tool = toolsByName.get(name);
		if (repeated) {
			content = fail(
				`${name} was already called ${MAX_IDENTICAL_CALLS} times with these exact arguments, so it was not run again: it would give the same result. Change course: use the results you already have, try different arguments or another tool, or give your final answer`,
			);
		} else if (!tool) {
			content = fail(`there is no tool named "${name}". The tools are: ${tools.map((t) => t.name).join(', ') || 'none'}`);
		} else if (failure) {
			content = fail(`${failure}; call ${name} again with a JSON object as arguments`);
		} else if (!isPlainObject(parsed)) {
			content = fail(`the arguments of ${name} must be a JSON object`);
		} else {
			const problems = validateJsonSchema(parsed, tool.parameters);
			if (problems.length > 0) {
				content = fail(`invalid arguments for ${name}: ${problems.join('; ')}`);
			} else {
				try {
					const result = await raceAbort(tool.run(parsed, { signal: controller.signal }), controller.signal);
					content = observationOf(result);
					for (const url of extractUrls(content)) sources.add(url);
				} catch (error) {
					content = timedOut() ? fail(`${name} did not finish before the time limit`) : fail(`${name} failed: ${errorText(error)}`);
					// A refused credential is the user's to fix, not the model's: the run stops and names it.
					if (error instanceof AgenticError && error.kind === 'auth') refusedCredential = error;
				}
			}
		}
		const ms = performance.now() - started;
		const record: ToolCallRecord = { name, arguments: parsed, resultSummary: Array.from(content).slice(0, SUMMARY_CHARS).join(''), ms, iteration };
		if (failure) record.error = failure;
		if (repeated) record.repeated = true;
		const message: ChatMessage = { role: 'tool', tool_call_id: call.id, content };
		const entry = traceEntryOf(message, iteration, 'tool');
		entry.ms = ms;
		return { message, record, entry, refusedCredential };
	};

	try {
		for (;;) {
			if (timedOut()) {
				stopReason = 'timeout';
				break;
			}
			if (overBudget()) {
				stopReason = 'token_budget';
				break;
			}
			if (iterations >= maxIterations) {
				stopReason = 'max_iterations';
				break;
			}
			iterations++;
			const response = await ask(iterations, true);
			if (!response) {
				stopReason = 'timeout';
				break;
			}
			const message = response.message;
			const calls = message.tool_calls ?? [];
			if (calls.length === 0) {
				answer = message.content ?? '';
				messages.push(message);
				turn.push(message);
				break;
			}
			if (overBudget()) {
				stopReason = 'token_budget';
				break;
			}
			messages.push(message);
			// Repeats are decided in call order before anything runs, so concurrent calls count deterministically.
			const repeats = calls.map((call) => {
				let args: unknown = call.function.arguments;
				try {
					args = JSON.parse(call.function.arguments);
				} catch {
					// Broken JSON is compared as text.
				}
				const key = `${call.function.name}\u0000${canonicalJson(args)}`;
				const count = (callCounts.get(key) ?? 0) + 1;
				callCounts.set(key, count);
				return count > MAX_IDENTICAL_CALLS;
			});
			const ran = await Promise.all(calls.map((call, i) => runTool(call, iterations, repeats[i])));
			const refused = ran.find((r) => r.refusedCredential)?.refusedCredential;
			if (refused) throw refused;
			const results = ran.map((r) => r.message);
			records.push(...ran.map((r) => r.record));
			trace.push(...ran.map((r) => r.entry));
			messages.push(...results);
			turn.push(message, ...results);
		}

		if (stopReason === 'max_iterations' && !timedOut() && !overBudget()) {
			const nudge: ChatMessage = { role: 'user', content: FINAL_ANSWER_PROMPT };
			messages.push(nudge);
			trace.push(traceEntryOf(nudge, iterations, 'sent'));
			const response = await ask(iterations, false);
			if (response) answer = response.message.content ?? '';
			else stopReason = 'timeout';
		}
		if (stopReason !== 'completed' && answer === '') answer = stopReason === 'max_iterations' ? lastAssistantText : '';
		if (stopReason !== 'completed' && answer) turn.push({ role: 'assistant', content: answer });

		let data: unknown;
		let dataErrors: string[] | undefined;
		if (options.outputSchema) {
			let check = checkStructured(answer, options.outputSchema);
			if (!check.ok && !timedOut() && !overBudget() && answer !== '') {
				const fix: ChatMessage = {
					role: 'user',
					content: `Your answer does not fit the required JSON Schema: ${check.errors.join('; ')}. Reply with only the corrected JSON, nothing else.`,
				};
				if (messages.at(-1)?.role !== 'assistant') messages.push({ role: 'assistant', content: answer });
				messages.push(fix);
				trace.push(traceEntryOf(fix, iterations, 'sent'));
				const response = await ask(iterations, false);
				if (response) {
					const corrected = response.message.content ?? '';
					const second = checkStructured(corrected, options.outputSchema);
					if (second.ok) {
						answer = corrected;
						turn[turn.length - 1] = { role: 'assistant', content: corrected };
					}
					check = second.ok ? second : check;
				}
			}
			if (check.ok) data = check.value;
			else {
				dataErrors = check.errors;
				if (stopReason === 'completed') stopReason = 'invalid_output';
			}
		}

		const cited = checkCitations(answer, sources);
		// What a tool or the model echoed (a key in an error, a header in a response) must not reach the output or the stored turn.
		const secrets = options.secrets ?? [];
		const result: AgentResult = {
			answer: redactJson(answer, secrets),
			stopReason,
			iterations,
			toolCalls: redactJson(records, secrets),
			usage,
			citations: redactJson(cited.citations, secrets),
			trace: redactTrace(trace, secrets),
			turn: redactJson(turn, secrets),
		};
		if (options.outputSchema) {
			if (dataErrors) result.dataErrors = redactJson(dataErrors, secrets);
			else result.data = redactJson(data, secrets);
		}
		if (options.requireCitations) result.unverifiedCitations = redactJson(cited.unverifiedCitations, secrets);
		return result;
	} finally {
		if (timer) clearTimeout(timer);
		options.signal?.removeEventListener('abort', onOuterAbort);
	}
}

function checkStructured(answer: string, schema: JsonSchema): { ok: true; value: unknown } | { ok: false; errors: string[] } {
	const parsed = parseJsonAnswer(answer);
	if (!parsed.ok) return { ok: false, errors: [parsed.error] };
	const errors = validateJsonSchema(parsed.value, schema);
	return errors.length === 0 ? { ok: true, value: parsed.value } : { ok: false, errors };
}

function traceEntryOf(message: ChatMessage, iteration: number, direction: TraceEntry['direction']): TraceEntry {
	const entry: TraceEntry = { iteration, direction, role: message.role, content: message.content };
	if (message.role === 'assistant' && message.tool_calls) {
		entry.toolCalls = message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
	}
	if (message.role === 'tool') entry.toolCallId = message.tool_call_id;
	return entry;
}
