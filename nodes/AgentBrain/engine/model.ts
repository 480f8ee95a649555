// Chat completions over plain HTTP against OpenAI or any server that speaks its API (Ollama, vLLM, LM Studio, OpenRouter, Groq).
import { randomUUID } from 'node:crypto';
import { AgenticError, redactSecrets } from '../../shared/errors';
import { fetchTransport, requestWithRetry, responseBodyText, type HttpTransport, type RetryOptions } from '../../shared/http';
import { OPENAI_CREDENTIAL_NAME, openAiCompatibleEndpoint } from '../../shared/openAiCompatible';
import { isPlainObject } from './schema';
import { readStreamedCompletion } from './streamedCompletion';
import type { AssistantMessage, ChatModel, ChatRequest, ChatResponse, ToolCallRequest } from './types';

const DEFAULT_TIMEOUT_MS = 120_000;

export interface OpenAiChatModelOptions {
	apiKey: string;
	/** Default https://api.openai.com/v1. */
	baseUrl?: string;
	model: string;
	organization?: string;
	/** Sent with every request (e.g. OpenRouter's HTTP-Referer); cannot replace the Authorization header. */
	extraHeaders?: Record<string, string>;
	temperature?: number;
	maxTokens?: number;
	/** How requests are sent; default Node's fetch. In n8n pass `n8nTransport(this)` so proxy settings apply. */
	transport?: HttpTransport;
	/** Retries of 429/5xx/timeouts (default 3, exponential backoff from 500 ms, Retry-After honoured). */
	retry?: Partial<RetryOptions>;
	/** HTTP timeout per try (default 120 s). */
	timeoutMs?: number;
}

export class OpenAiChatModel implements ChatModel {
	private readonly options: OpenAiChatModelOptions;

	private readonly baseUrl: string;

	private readonly headers: Record<string, string>;

	private readonly retry: RetryOptions;

	constructor(options: OpenAiChatModelOptions) {
		const apiKey = typeof options.apiKey === 'string' ? options.apiKey.trim() : '';
		this.options = { ...options, apiKey };
		const endpoint = openAiCompatibleEndpoint({ apiKey, baseUrl: options.baseUrl, organization: options.organization, extraHeaders: options.extraHeaders });
		this.baseUrl = endpoint.baseUrl;
		if (!options.model || !options.model.trim()) {
			throw new AgenticError('invalid_input', 'No model is set', {
				field: 'Model',
				description: 'Enter the model name the server knows, e.g. gpt-4o-mini (OpenAI) or llama3.1 (Ollama).',
			});
		}
		this.headers = endpoint.headers;
		this.retry = {
			...options.retry,
			service: 'The model server',
			credentialName: OPENAI_CREDENTIAL_NAME,
			secrets: [apiKey, ...(options.retry?.secrets ?? [])],
		};
	}

	async complete(request: ChatRequest): Promise<ChatResponse> {
		const { model, temperature, maxTokens } = this.options;
		const body: Record<string, unknown> = { model, messages: request.messages };
		if (request.tools && request.tools.length > 0) {
			body.tools = request.tools.map((tool) => ({
				type: 'function',
				function: { name: tool.name, description: tool.description, parameters: tool.parameters },
			}));
		}
		if (temperature !== undefined) body.temperature = temperature;
		// OpenAI's newer models refuse max_tokens; most compatible servers know only max_tokens.
		if (maxTokens !== undefined) body[this.isOpenAi() ? 'max_completion_tokens' : 'max_tokens'] = maxTokens;
		const streamed = request.onText !== undefined;
		// The usage comes in a last event only when asked for; the token budget needs it.
		if (streamed) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
		const response = await requestWithRetry(
			this.options.transport ?? fetchTransport,
			{
				method: 'POST',
				url: `${this.baseUrl}/chat/completions`,
				headers: this.headers,
				body,
				timeoutMs: Math.max(1, Math.min(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, request.timeoutMs ?? Infinity)),
				signal: request.signal,
				stream: streamed,
			},
			this.retry,
		);
		if (response.status < 200 || response.status >= 300) {
			const detail = redactSecrets(responseBodyText(response.body, 'no explanation'), [this.options.apiKey]);
			const status = response.status;
			throw new AgenticError(status === 404 ? 'not_found' : 'invalid_input', `The model server refused the request (HTTP ${status}): ${detail}`, {
				httpStatus: status,
				field: status === 404 ? 'Model' : undefined,
				description:
					status === 404
						? `Check the model name "${model}" and the base URL in the "${OPENAI_CREDENTIAL_NAME}" credential.`
						: 'Check the model name and options (some models refuse temperature or tools).',
			});
		}
		return request.onText ? readStreamedCompletion(response.body, request.onText) : parseCompletion(response.body);
	}

	private isOpenAi(): boolean {
		return new URL(this.baseUrl).hostname === 'api.openai.com';
	}
}

/** One tool call as the server sent it; a missing id is made up, since results must pair with their call across the whole conversation. */
function toolCallOf(raw: unknown, index: number): ToolCallRequest {
	const call = isPlainObject(raw) ? raw : {};
	const fn = isPlainObject(call.function) ? call.function : {};
	const args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
	// Some local servers send no id.
	const id = typeof call.id === 'string' && call.id ? call.id : `call_${randomUUID().replace(/-/g, '').slice(0, 12)}_${index}`;
	return { id, type: 'function', function: { name: String(fn.name ?? ''), arguments: args } };
}

export function parseCompletion(body: unknown): ChatResponse {
	const choices = isPlainObject(body) && Array.isArray(body.choices) ? (body.choices as unknown[]) : [];
	const first = choices[0];
	const raw = isPlainObject(first) && isPlainObject(first.message) ? first.message : undefined;
	if (!raw) {
		throw new AgenticError('upstream', 'The model server answered without a message', {
			description: `Check that the base URL in the "${OPENAI_CREDENTIAL_NAME}" credential points at an OpenAI-compatible /v1 API.`,
		});
	}
	const toolCalls = Array.isArray(raw.tool_calls) ? (raw.tool_calls as unknown[]).map(toolCallOf) : [];
	const message: AssistantMessage = { role: 'assistant', content: typeof raw.content === 'string' ? raw.content : null };
	if (toolCalls.length > 0) message.tool_calls = toolCalls;
	const usage = isPlainObject(body) && isPlainObject(body.usage) ? body.usage : {};
	const promptTokens = Number(usage.prompt_tokens) || 0;
	const completionTokens = Number(usage.completion_tokens) || 0;
	return {
		message,
		usage: { promptTokens, completionTokens, totalTokens: Number(usage.total_tokens) || promptTokens + completionTokens },
	};
}
