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

export interface StandInChatModel {
	lc_namespace: string[];
	invoke(messages: unknown[], options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>;
	bindTools?(tools: unknown[]): { invoke(messages: unknown[], options?: { signal?: AbortSignal }): Promise<Record<string, unknown>> };
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
	};
	if (!options.withoutTools) {
		model.bindTools = (tools) => {
			model.boundTools.push(tools);
			return { invoke: (messages, invokeOptions) => call(messages, tools, invokeOptions?.signal) };
		};
	}
	return model;
}
