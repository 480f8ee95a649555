// A scripted fake of Anthropic's Messages API (POST /v1/messages, with tools, and its server-sent event stream), following Anthropic's published format.
// It stands in for api.anthropic.com, which cannot be reached from here: text and tool_use content blocks, stop_reason,
// usage, tool_result blocks checked against the tool_use ids they answer, and Anthropic's error shape.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { approxTokens, readBody, sendJson as sendJsonBody } from './http';
import type { ScriptedReply } from './openai';

export interface AnthropicRequest {
	body: any;
	headers: Record<string, string>;
}

export type AnthropicResponder = (request: AnthropicRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface FakeAnthropic {
	/** Base URL without /v1 (what n8n's Anthropic credential calls "Base URL"). */
	url: string;
	requests: Array<{ method: string; path: string; headers: Record<string, string>; body: any }>;
	setScript(list: Array<ScriptedReply | AnthropicResponder>): void;
	close(): Promise<void>;
}

/** Anthropic's answers carry a request id. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	sendJsonBody(res, status, body, { 'request-id': `req_fake${Date.now()}`, ...headers });
}

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });

/** Anthropic refuses what breaks its conversation rules; the fake does too, so a wrong mapping fails loudly. */
function requestProblem(body: any): string | undefined {
	if (typeof body?.model !== 'string') return 'model: Field required';
	if (!Number.isInteger(body?.max_tokens)) return 'max_tokens: Field required';
	if (!Array.isArray(body?.messages) || body.messages.length === 0) return 'messages: at least one message is required';
	let previousToolUses: string[] = [];
	for (const [index, message] of body.messages.entries()) {
		if (message.role !== 'user' && message.role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
		const blocks: any[] = typeof message.content === 'string' ? [] : message.content;
		for (const block of blocks) {
			if (block.type === 'tool_result' && !previousToolUses.includes(block.tool_use_id)) {
				return `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
			}
		}
		previousToolUses = message.role === 'assistant' ? blocks.filter((b) => b.type === 'tool_use').map((b) => b.id) : [];
		const hasToolBlocks = blocks.some((b) => b.type === 'tool_use' || b.type === 'tool_result');
		if (hasToolBlocks && (!Array.isArray(body.tools) || body.tools.length === 0)) return 'Requests which include tool_use or tool_result blocks must define tools.';
	}
	return undefined;
}

function contentOf(reply: ScriptedReply, nextToolId: () => string): any[] {
	const content: any[] = [];
	if (reply.content) content.push({ type: 'text', text: reply.content });
	for (const call of reply.toolCalls ?? []) {
		const input = typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments;
		content.push({ type: 'tool_use', id: call.id ?? nextToolId(), name: call.name, input });
	}
	return content;
}

/** The streamed form: message_start, one start/delta/stop per content block, message_delta with the stop reason, message_stop. */
async function stream(res: ServerResponse, message: any, delayMs: number) {
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const send = async (event: string, data: unknown) => {
		res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
		if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
	};
	await send('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } });
	for (const [index, block] of message.content.entries()) {
		if (block.type === 'text') {
			await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
			for (const piece of block.text.match(/\S+\s*|\s+/g) ?? []) {
				await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
			}
		} else {
			await send('content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } });
			await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
		}
		await send('content_block_stop', { type: 'content_block_stop', index });
	}
	await send('message_delta', { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } });
	await send('message_stop', { type: 'message_stop' });
	res.end();
}

export async function startFakeAnthropic(options: { apiKey?: string } = {}): Promise<FakeAnthropic> {
	const apiKey = options.apiKey ?? 'sk-ant-test-key';
	let script: Array<ScriptedReply | AnthropicResponder> = [];
	const requests: FakeAnthropic['requests'] = [];
	let messageCounter = 0;
	let toolCounter = 0;

	async function messages(res: ServerResponse, body: any, headers: Record<string, string>) {
		const problem = requestProblem(body);
		if (problem) return sendJson(res, 400, errorBody('invalid_request_error', problem));
		const entry = script.shift();
		const lastUser = body.messages.at(-1);
		const echo = typeof lastUser.content === 'string' ? lastUser.content : lastUser.content.map((b: any) => b.text ?? '').join('');
		const reply: ScriptedReply = entry === undefined ? { content: echo } : typeof entry === 'function' ? await entry({ body, headers }) : entry;
		if (reply.delayMs && !body.stream) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		if (reply.status && reply.status >= 400) {
			const type = reply.status === 429 ? 'rate_limit_error' : reply.status === 401 ? 'authentication_error' : 'api_error';
			return sendJson(res, reply.status, reply.body ?? errorBody(type, `Scripted error (HTTP ${reply.status})`), reply.headers);
		}
		const content = contentOf(reply, () => `toolu_fake${++toolCounter}`);
		const message = {
			id: `msg_fake${++messageCounter}`,
			type: 'message',
			role: 'assistant',
			model: body.model,
			content,
			stop_reason: content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn',
			stop_sequence: null,
			usage: {
				input_tokens: reply.usage?.prompt_tokens ?? approxTokens(JSON.stringify([body.system ?? '', body.messages])),
				output_tokens: reply.usage?.completion_tokens ?? approxTokens(JSON.stringify(content)),
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
			},
		};
		if (body.stream === true) return stream(res, message, reply.delayMs ?? 0);
		sendJson(res, 200, message, reply.headers);
	}

	const server = createServer(async (req, res) => {
		try {
			const text = await readBody(req);
			const headers: Record<string, string> = {};
			for (const [key, value] of Object.entries(req.headers)) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value ?? '');
			const body = text ? JSON.parse(text) : undefined;
			const path = (req.url ?? '/').split('?')[0];
			requests.push({ method: req.method ?? 'GET', path, headers, body });
			if (headers['x-api-key'] !== apiKey) return sendJson(res, 401, errorBody('authentication_error', 'invalid x-api-key'));
			if (!headers['anthropic-version']) return sendJson(res, 400, errorBody('invalid_request_error', 'anthropic-version: header is required'));
			if (req.method === 'POST' && path === '/v1/messages') return await messages(res, body, headers);
			sendJson(res, 404, errorBody('not_found_error', `Not found: ${req.method} ${path}`));
		} catch (error) {
			sendJson(res, 500, errorBody('api_error', `Fake server failure: ${(error as Error).message}`));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		setScript(list) {
			script = [...list];
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
