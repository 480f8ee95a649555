// What the run has said so far: the messages sent to the model, the trace of them, the turn kept for memory and the tokens spent.
import { raceAbort, type RunClock } from './runClock';
import type { SecretSafeText } from './textStream';
import { traceEntryOf } from './trace';
import type { AssistantMessage, ChatMessage, ChatModel, ChatResponse, JsonSchema, TokenUsage, ToolDefinition, TraceEntry } from './types';

export interface ConversationStart {
	systemMessage?: string;
	requireCitations?: boolean;
	outputSchema?: JsonSchema;
	/** Earlier turns of the conversation (from memory), oldest first. */
	history?: ChatMessage[];
	task: string;
	/** Where the model's words go as they are written (streaming to a chat). */
	text?: SecretSafeText;
}

/** The system message: the user's instructions, then what citations and an output schema ask of the model. */
function systemMessageOf(start: ConversationStart): string | undefined {
	const parts: string[] = [];
	if (start.systemMessage && start.systemMessage.trim()) parts.push(start.systemMessage.trim());
	if (start.requireCitations) {
		parts.push(
			'Cite your sources: for each fact taken from a tool result, put the exact URL that the tool returned in your answer. Never cite a URL that no tool returned.',
		);
	}
	if (start.outputSchema) {
		parts.push(
			`Your final answer must be only a JSON value, without any other text, that matches this JSON Schema:\n${JSON.stringify(start.outputSchema)}`,
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

/** A conversation as plain JSON, to carry a run across a pause (see loop.ts). */
export interface ConversationSnapshot {
	messages: ChatMessage[];
	trace: TraceEntry[];
	turn: ChatMessage[];
	usage: TokenUsage;
	lastAssistantText: string;
}

/** A message to a model as plain text, merged into the one before when both have the same role. */
function pushText(out: ChatMessage[], role: 'user' | 'assistant', content: string): void {
	const last = out.at(-1);
	if (last && last.role === role) out[out.length - 1] = { role, content: [last.content, content].filter(Boolean).join('\n\n') } as ChatMessage;
	else out.push({ role, content } as ChatMessage);
}

/**
 * The conversation for a call without tools (the final answer, the structured-output repair): tool calls and their
 * results as plain text. Anthropic and Bedrock refuse tool blocks in a request that defines no tools.
 */
export function withoutToolBlocks(messages: ChatMessage[]): ChatMessage[] {
	if (!messages.some((message) => message.role === 'tool')) return messages.slice();
	const names = new Map<string, string>();
	const out: ChatMessage[] = [];
	for (const message of messages) {
		if (message.role === 'system') out.push(message);
		else if (message.role === 'tool') pushText(out, 'user', `Result of ${names.get(message.tool_call_id) ?? 'a tool'}: ${message.content}`);
		else if (message.role === 'assistant' && message.tool_calls?.length) {
			for (const call of message.tool_calls) names.set(call.id, call.function.name);
			const calls = message.tool_calls.map((call) => `Calling ${call.function.name} with ${call.function.arguments || '{}'}`);
			pushText(out, 'assistant', [message.content ?? '', ...calls].filter(Boolean).join('\n'));
		} else pushText(out, message.role, message.content ?? '');
	}
	return out;
}

export class Conversation {
	readonly messages: ChatMessage[] = [];

	readonly trace: TraceEntry[] = [];

	/** This run's messages for conversation memory: the task, each tool round with its results, the answer. */
	readonly turn: ChatMessage[];

	usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

	/** The model's last words, kept as the answer when the iteration limit cuts the run short. */
	lastAssistantText = '';

	private readonly text?: SecretSafeText;

	/** A new conversation from `start`, or the one a paused run had (`from`): then `start` only gives where the text goes. */
	constructor(
		private readonly model: ChatModel,
		private readonly clock: RunClock,
		private readonly tools: ToolDefinition[],
		start: ConversationStart,
		from?: ConversationSnapshot,
	) {
		this.text = start.text;
		if (from) {
			this.messages.push(...from.messages);
			this.trace.push(...from.trace);
			this.turn = from.turn.slice();
			this.usage = { ...from.usage };
			this.lastAssistantText = from.lastAssistantText;
			return;
		}
		const system = systemMessageOf(start);
		if (system) this.messages.push({ role: 'system', content: system });
		this.messages.push(...(start.history ?? []));
		const task: ChatMessage = { role: 'user', content: start.task };
		this.messages.push(task);
		for (const message of this.messages) this.trace.push(traceEntryOf(message, 0, 'sent'));
		this.turn = [task];
	}

	snapshot(): ConversationSnapshot {
		return { messages: this.messages.slice(), trace: this.trace.slice(), turn: this.turn.slice(), usage: { ...this.usage }, lastAssistantText: this.lastAssistantText };
	}

	/** One model call; undefined when the time limit cut it short. Any other failure is thrown. */
	async ask(iteration: number, withTools: boolean): Promise<ChatResponse | undefined> {
		const started = performance.now();
		let response: ChatResponse | undefined;
		let failure: unknown;
		try {
			const request = {
				messages: withTools && this.tools.length > 0 ? this.messages.slice() : withoutToolBlocks(this.messages),
				tools: withTools && this.tools.length > 0 ? this.tools : undefined,
				signal: this.clock.signal,
				timeoutMs: this.clock.remainingMs(),
				onText: this.text && ((piece: string) => this.text!.push(piece)),
			};
			response = await raceAbort(this.model.complete(request), this.clock.signal);
		} catch (error) {
			failure = error ?? new Error('The model call failed');
		}
		this.text?.flush();
		if (this.clock.timedOut()) return undefined;
		if (failure !== undefined || !response) throw failure;
		this.usage = addUsage(this.usage, response.usage);
		const entry = traceEntryOf(response.message, iteration, 'received');
		entry.ms = performance.now() - started;
		entry.usage = response.usage;
		this.trace.push(entry);
		if (response.message.content) this.lastAssistantText = response.message.content;
		return response;
	}

	/** A message of the run's own to the model (a nudge, a request to fix the answer). */
	say(content: string, iteration: number): void {
		const message: ChatMessage = { role: 'user', content };
		this.messages.push(message);
		this.trace.push(traceEntryOf(message, iteration, 'sent'));
	}

	/** The model answered without calling tools. */
	answered(message: AssistantMessage): void {
		this.messages.push(message);
		this.turn.push(message);
	}

	/** The model's tool calls and their results, in call order. */
	toolRound(message: AssistantMessage, results: Array<{ message: ChatMessage; entry: TraceEntry }>): void {
		const toolMessages = results.map((result) => result.message);
		this.messages.push(message, ...toolMessages);
		this.trace.push(...results.map((result) => result.entry));
		this.turn.push(message, ...toolMessages);
	}
}
