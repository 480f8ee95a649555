// The agent's ChatModel over a LangChain chat model such as n8n's chat model sub-nodes supply: OpenAI-format messages and tools in; tool calls, text and usage out.
import { randomUUID } from 'node:crypto';
import { AgenticError } from '../../shared/errors';
import { isPlainObject } from './schema';
import type { AssistantMessage, ChatMessage, ChatModel, ChatRequest, ChatResponse, ToolCallRequest, ToolDefinition } from './types';

/** What a runnable chat model offers (LangChain's BaseChatModel and the model `bindTools` returns). */
export interface LangChainRunnable {
	invoke(input: unknown[], options?: { signal?: AbortSignal }): Promise<unknown>;
	/** AIMessageChunks, which `concat` into the whole message. */
	stream?(input: unknown[], options?: { signal?: AbortSignal }): Promise<AsyncIterable<unknown>>;
}

interface MessageChunk {
	content?: unknown;
	concat?(other: unknown): MessageChunk;
}

/** The reply streamed: each chunk's text handed on, the chunks joined the way LangChain joins them (tool calls, usage). */
async function streamedReply(runnable: LangChainRunnable, input: unknown[], signal: AbortSignal | undefined, onText: (text: string) => void): Promise<unknown> {
	if (typeof runnable.stream !== 'function') {
		const reply = await runnable.invoke(input, { signal });
		const text = contentText((reply as MessageChunk | undefined)?.content);
		if (text) onText(text);
		return reply;
	}
	let whole: MessageChunk | undefined;
	for await (const chunk of await runnable.stream(input, { signal })) {
		const piece = chunk as MessageChunk;
		const text = contentText(piece.content);
		if (text) onText(text);
		whole = whole === undefined ? piece : typeof whole.concat === 'function' ? whole.concat(piece) : piece;
	}
	return whole;
}

/** The surface of a LangChain chat model this adapter uses; no LangChain class is imported (n8n supplies its own). */
export interface LangChainChatModelLike extends LangChainRunnable {
	lc_namespace?: string[];
	bindTools?(tools: unknown[], kwargs?: Record<string, unknown>): LangChainRunnable;
}

/** A chat model, not a text-completion LLM or another kind of sub-node: LangChain puts chat models under "chat_models". */
export function isChatModel(value: unknown): value is LangChainChatModelLike {
	const candidate = value as Partial<LangChainChatModelLike> | undefined;
	return typeof candidate?.invoke === 'function' && Array.isArray(candidate.lc_namespace) && candidate.lc_namespace.includes('chat_models');
}

export function canCallTools(model: LangChainChatModelLike): boolean {
	return typeof model.bindTools === 'function';
}

/** Arguments LangChain can read back: it parses each earlier call's arguments, and a model's broken JSON would make it throw. */
function resendableArguments(text: string): string {
	try {
		return isPlainObject(JSON.parse(text)) ? text : '{}';
	} catch {
		return '{}';
	}
}

function toLangChainMessage(message: ChatMessage): Record<string, unknown> {
	if (message.role !== 'assistant') return { ...message };
	const calls = message.tool_calls ?? [];
	if (calls.length === 0) return { role: 'assistant', content: message.content ?? '' };
	return {
		role: 'assistant',
		content: message.content ?? '',
		tool_calls: calls.map((call) => ({ ...call, function: { name: call.function.name, arguments: resendableArguments(call.function.arguments) } })),
	};
}

/** The text of a reply's content: a string, or content blocks of which only the text ones are words for the user. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content.map((block) => (typeof block === 'string' ? block : isPlainObject(block) && block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('');
}

const madeUpId = (index: number) => `call_${randomUUID().replace(/-/g, '').slice(0, 12)}_${index}`;

function toolCallsOf(reply: Record<string, unknown>): ToolCallRequest[] {
	const valid = Array.isArray(reply.tool_calls) ? reply.tool_calls : [];
	// LangChain keeps calls whose arguments were not JSON apart; the loop tells the model to fix them.
	const invalid = Array.isArray(reply.invalid_tool_calls) ? reply.invalid_tool_calls : [];
	return [...valid, ...invalid].filter(isPlainObject).map((call, index) => ({
		id: typeof call.id === 'string' && call.id ? call.id : madeUpId(index),
		type: 'function',
		function: {
			name: String(call.name ?? ''),
			arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args ?? {}),
		},
	}));
}

/** Token counts: LangChain's usage_metadata, else what older integrations put in response_metadata. */
function usageOf(reply: Record<string, unknown>): ChatResponse['usage'] {
	const metadata = isPlainObject(reply.usage_metadata) ? reply.usage_metadata : undefined;
	const response = isPlainObject(reply.response_metadata) ? reply.response_metadata : {};
	const legacy = isPlainObject(response.tokenUsage) ? response.tokenUsage : isPlainObject(response.usage) ? response.usage : {};
	const promptTokens = Number(metadata?.input_tokens ?? legacy.promptTokens ?? legacy.input_tokens ?? legacy.prompt_tokens) || 0;
	const completionTokens = Number(metadata?.output_tokens ?? legacy.completionTokens ?? legacy.output_tokens ?? legacy.completion_tokens) || 0;
	const total = Number(metadata?.total_tokens ?? legacy.totalTokens ?? legacy.total_tokens) || promptTokens + completionTokens;
	return { promptTokens, completionTokens, totalTokens: total };
}

export function parseLangChainReply(reply: unknown, modelName: string): ChatResponse {
	if (!isPlainObject(reply)) {
		throw new AgenticError('upstream', `The chat model "${modelName}" answered without a message`, {
			description: `Connect a chat model node to the Chat Model input of Agent Brain (the "${modelName}" node gave ${typeof reply}).`,
		});
	}
	const toolCalls = toolCallsOf(reply);
	const text = contentText(reply.content);
	const message: AssistantMessage = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
	if (toolCalls.length > 0) message.tool_calls = toolCalls;
	return { message, usage: usageOf(reply) };
}

/** A nested field of an error object, whatever its shape. */
function at(value: unknown, ...path: string[]): unknown {
	let current = value;
	for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
	return current;
}

/** The HTTP status behind a failure, wherever the integration or n8n's wrapper put it. */
function statusOf(error: Record<string, unknown>): number | undefined {
	const paths = [['httpCode'], ['status'], ['status_code'], ['response', 'status'], ['cause', 'status'], ['cause', 'response', 'status']];
	for (const path of paths) {
		const status = Number(at(error, ...path));
		if (Number.isInteger(status) && status >= 400 && status < 600) return status;
	}
	return undefined;
}

/** n8n's chat model nodes throw NodeApiErrors carrying their node: its name and the name of the credential set on it. */
function sourceOf(error: Record<string, unknown>, fallbackName: string): { node: string; credential?: string } {
	const name = at(error, 'node', 'name');
	const credentials = at(error, 'node', 'credentials');
	const credential = (isPlainObject(credentials) ? Object.values(credentials) : []).map((entry) => at(entry, 'name')).find((value) => typeof value === 'string');
	return { node: typeof name === 'string' ? name : fallbackName, credential: credential as string | undefined };
}

function detailOf(error: Record<string, unknown>): string {
	const parts = [error.message, error.description, at(error, 'cause', 'message')].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
	return [...new Set(parts)].join(' — ') || 'no explanation';
}

/** A failure of the sub-node's model in the words of the agent's other model errors, naming the node (and its credential) to fix. */
export function connectedModelError(error: unknown, modelName: string): unknown {
	if (!isPlainObject(error) || error.name === 'AbortError' || error instanceof AgenticError) return error;
	const status = statusOf(error);
	const { node, credential } = sourceOf(error, modelName);
	const detail = detailOf(error);
	if (status === 401 || status === 403) {
		const named = credential ? `the "${credential}" credential of the "${node}" node` : `the credential of the "${node}" node`;
		return new AgenticError('auth', `The chat model "${node}" refused its credential (HTTP ${status}): ${detail}`, {
			httpStatus: status,
			field: `${node} credential`,
			description: `Check the API key in ${named}.`,
			cause: error,
		});
	}
	if (status === 429) {
		return new AgenticError('rate_limited', `The chat model "${node}" is still rate limited after its retries (HTTP 429): ${detail}`, {
			httpStatus: status,
			description: `Wait and run again, or raise the plan's limits; the "${node}" node's options set how often it retries.`,
			cause: error,
		});
	}
	return new AgenticError(status === 404 ? 'not_found' : status !== undefined && status < 500 ? 'invalid_input' : 'upstream', `The chat model "${node}" failed${status ? ` (HTTP ${status})` : ''}: ${detail}`, {
		httpStatus: status,
		description: status === 404 ? `Check the model chosen on the "${node}" node.` : `Check the settings of the "${node}" node and its credential.`,
		cause: error,
	});
}

export class ConnectedChatModel implements ChatModel {
	private bound?: { tools: ToolDefinition[]; runnable: LangChainRunnable };

	/** `modelName`: the sub-node's name, said in every error. */
	constructor(
		private readonly model: LangChainChatModelLike,
		private readonly modelName: string,
	) {}

	private runnableFor(tools: ToolDefinition[] | undefined): LangChainRunnable {
		if (!tools || tools.length === 0) return this.model;
		if (!canCallTools(this.model)) {
			throw new AgenticError('invalid_input', `The chat model "${this.modelName}" cannot call tools`, {
				description: 'Connect a chat model that supports tool calling, or turn the tools off.',
			});
		}
		// One run offers the same tools on every call: bind them once.
		if (this.bound?.tools !== tools) {
			const definitions = tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
			this.bound = { tools, runnable: this.model.bindTools!(definitions) };
		}
		return this.bound.runnable;
	}

	async complete(request: ChatRequest): Promise<ChatResponse> {
		const runnable = this.runnableFor(request.tools);
		let reply: unknown;
		try {
			const input = request.messages.map(toLangChainMessage);
			reply = request.onText ? await streamedReply(runnable, input, request.signal, request.onText) : await runnable.invoke(input, { signal: request.signal });
		} catch (error) {
			throw connectedModelError(error, this.modelName);
		}
		return parseLangChainReply(reply, this.modelName);
	}
}
