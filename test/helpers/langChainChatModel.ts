// A stand-in for the LangChain chat model an n8n chat model sub-node supplies: its surface (lc_namespace, bindTools, invoke → an AIMessage's fields), over the OpenAI fake's HTTP API.
// It reads messages the way LangChain's coercion does (an earlier call's arguments are parsed, and broken JSON throws),
// and answers as ChatOpenAI does: tool_calls with parsed args, invalid_tool_calls with the raw text, usage_metadata.

export interface StandInOptions {
	baseUrl: string;
	apiKey: string;
	model?: string;
	/** Answer with content blocks ([{type: 'text', text}]) as Anthropic's integration does, instead of a string. */
	contentBlocks?: boolean;
	/** No bindTools: a chat model that cannot call tools. */
	withoutTools?: boolean;
}

type Invoke = (messages: unknown[], options?: { signal?: AbortSignal }) => Promise<Record<string, unknown>>;
type Stream = (messages: unknown[], options?: { signal?: AbortSignal }) => Promise<AsyncIterable<Record<string, unknown>>>;

export interface StandInChatModel {
	lc_namespace: string[];
	invoke: Invoke;
	stream: Stream;
	bindTools?(tools: unknown[]): { invoke: Invoke; stream: Stream };
	/** Tool definitions each bindTools call got. */
	boundTools: unknown[][];
}

function coerce(message: any): Record<string, unknown> {
	if (message.role !== 'assistant' || !Array.isArray(message.tool_calls)) return { ...message };
	const toolCalls = message.tool_calls.map((call: any) => ({
		id: call.id,
		type: 'function',
		// LangChain's _coerceToolCall: JSON.parse, which throws on broken arguments; ChatOpenAI sends them serialized again.
		function: { name: call.function.name, arguments: JSON.stringify(JSON.parse(call.function.arguments)) },
	}));
	return { role: 'assistant', content: message.content, tool_calls: toolCalls };
}

function aiMessageOf(body: any, contentBlocks: boolean): Record<string, unknown> {
	const raw = body.choices[0].message;
	const toolCalls: unknown[] = [];
	const invalid: unknown[] = [];
	for (const call of raw.tool_calls ?? []) {
		try {
			toolCalls.push({ id: call.id, name: call.function.name, args: JSON.parse(call.function.arguments), type: 'tool_call' });
		} catch (error) {
			invalid.push({ id: call.id, name: call.function.name, args: call.function.arguments, error: (error as Error).message, type: 'invalid_tool_call' });
		}
	}
	const text: string = raw.content ?? '';
	return {
		content: contentBlocks ? (text ? [{ type: 'text', text }] : []) : text,
		tool_calls: toolCalls,
		invalid_tool_calls: invalid,
		usage_metadata: { input_tokens: body.usage.prompt_tokens, output_tokens: body.usage.completion_tokens, total_tokens: body.usage.total_tokens },
		response_metadata: { finish_reason: body.choices[0].finish_reason },
	};
}

/** An AIMessageChunk's fields and its `concat`, which joins text and keeps the last chunk's tool calls and usage. */
function chunk(fields: Record<string, unknown>): Record<string, unknown> {
	return {
		...fields,
		concat(other: Record<string, unknown>) {
			return chunk({ ...fields, ...other, content: `${fields.content ?? ''}${other.content ?? ''}` });
		},
	};
}

/** The whole reply, then handed out as ChatOpenAI's stream would: its text a word per chunk, then one chunk with the calls and usage. */
async function* chunksOf(reply: Record<string, unknown>): AsyncGenerator<Record<string, unknown>> {
	const content = reply.content;
	const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((block: { text?: string }) => block.text ?? '').join('') : '';
	for (const word of text.match(/\S+\s*|\s+/g) ?? []) yield chunk({ content: word });
	yield chunk({ content: '', tool_calls: reply.tool_calls, invalid_tool_calls: reply.invalid_tool_calls, usage_metadata: reply.usage_metadata });
}

export function langChainChatModel(options: StandInOptions): StandInChatModel {
	const call = async (messages: unknown[], tools: unknown[] | undefined, signal: AbortSignal | undefined) => {
		const body: Record<string, unknown> = { model: options.model ?? 'gpt-4o-mini', messages: messages.map(coerce) };
		if (tools) body.tools = tools;
		const response = await fetch(`${options.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
			body: JSON.stringify(body),
			signal,
		});
		const json: any = await response.json();
		// The OpenAI SDK's APIError carries the status.
		if (!response.ok) throw Object.assign(new Error(`${response.status} ${json?.error?.message ?? 'error'}`), { status: response.status });
		return aiMessageOf(json, options.contentBlocks === true);
	};
	const model: StandInChatModel = {
		lc_namespace: ['langchain', 'chat_models', 'openai'],
		boundTools: [],
		invoke: (messages, invokeOptions) => call(messages, undefined, invokeOptions?.signal),
		stream: async (messages, streamOptions) => chunksOf(await call(messages, undefined, streamOptions?.signal)),
	};
	if (!options.withoutTools) {
		model.bindTools = (tools) => {
			model.boundTools.push(tools);
			return {
				invoke: (messages, invokeOptions) => call(messages, tools, invokeOptions?.signal),
				stream: async (messages, streamOptions) => chunksOf(await call(messages, tools, streamOptions?.signal)),
			};
		};
	}
	return model;
}
