// A scripted fake of Ollama's native chat API (POST /api/chat with tools, streamed as newline-delimited JSON or whole), following Ollama's published API.
// It stands in for an Ollama server with a model loaded, which cannot run here: tool calls come as
// `message.tool_calls[].function {name, arguments: object}`, usage as prompt_eval_count / eval_count.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { approxTokens, readBody, sendJson } from './http';
import type { ScriptedReply } from './openai';

export interface OllamaRequest {
	body: any;
	headers: Record<string, string>;
}

export type OllamaResponder = (request: OllamaRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface FakeOllama {
	/** Base URL as n8n's Ollama credential takes it (http://host:port). */
	url: string;
	requests: Array<{ method: string; path: string; headers: Record<string, string>; body: any }>;
	setScript(list: Array<ScriptedReply | OllamaResponder>): void;
	close(): Promise<void>;
}

/** Ollama refuses a tool message that follows no assistant tool call; the fake does too. */
function requestProblem(body: any): string | undefined {
	if (typeof body?.model !== 'string' || body.model === '') return 'model is required';
	if (!Array.isArray(body?.messages)) return 'messages is required';
	for (const [index, message] of body.messages.entries()) {
		if (!['system', 'user', 'assistant', 'tool'].includes(message.role)) return `invalid role "${message.role}" in message ${index}`;
		for (const call of message.tool_calls ?? []) {
			if (typeof call?.function?.arguments !== 'object') return `message ${index}: tool call arguments must be an object`;
		}
	}
	return undefined;
}

export async function startFakeOllama(options: { models?: string[] } = {}): Promise<FakeOllama> {
	const models = options.models ?? ['llama3.1:8b', 'qwen3:8b'];
	let script: Array<ScriptedReply | OllamaResponder> = [];
	const requests: FakeOllama['requests'] = [];

	async function chat(res: ServerResponse, body: any, headers: Record<string, string>) {
		const problem = requestProblem(body);
		if (problem) return sendJson(res, 400, { error: problem });
		if (!models.includes(body.model)) return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
		const entry = script.shift();
		const reply: ScriptedReply = entry === undefined ? { content: body.messages.at(-1)?.content ?? '' } : typeof entry === 'function' ? await entry({ body, headers }) : entry;
		const streamed = body.stream !== false;
		if (reply.delayMs && !streamed) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		if (reply.status && reply.status >= 400) return sendJson(res, reply.status, reply.body ?? { error: `Scripted error (HTTP ${reply.status})` });
		const toolCalls = (reply.toolCalls ?? []).map((call) => ({
			function: { name: call.name, arguments: typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments },
		}));
		const created = () => new Date().toISOString();
		const final = {
			model: body.model,
			created_at: created(),
			message: { role: 'assistant', content: streamed ? '' : (reply.content ?? '') , ...(toolCalls.length && !streamed ? { tool_calls: toolCalls } : {}) },
			done_reason: 'stop',
			done: true,
			total_duration: 1_000_000,
			load_duration: 100_000,
			prompt_eval_count: reply.usage?.prompt_tokens ?? approxTokens(JSON.stringify(body.messages)),
			prompt_eval_duration: 200_000,
			eval_count: reply.usage?.completion_tokens ?? approxTokens((reply.content ?? '') + JSON.stringify(toolCalls)),
			eval_duration: 700_000,
		};
		if (!streamed) return sendJson(res, 200, final);
		res.writeHead(200, { 'content-type': 'application/x-ndjson' });
		const line = async (value: unknown) => {
			res.write(`${JSON.stringify(value)}\n`);
			if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		};
		for (const piece of reply.content?.match(/\S+\s*|\s+/g) ?? []) {
			await line({ model: body.model, created_at: created(), message: { role: 'assistant', content: piece }, done: false });
		}
		// Ollama sends the calls whole, in one chunk of their own.
		if (toolCalls.length) await line({ model: body.model, created_at: created(), message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false });
		res.end(`${JSON.stringify(final)}\n`);
	}

	const server = createServer(async (req, res) => {
		try {
			const text = await readBody(req);
			const headers: Record<string, string> = {};
			for (const [key, value] of Object.entries(req.headers)) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value ?? '');
			const body = text ? JSON.parse(text) : undefined;
			const path = (req.url ?? '/').split('?')[0];
			requests.push({ method: req.method ?? 'GET', path, headers, body });
			if (req.method === 'POST' && path === '/api/chat') return await chat(res, body, headers);
			if (req.method === 'GET' && path === '/api/tags') {
				return sendJson(res, 200, { models: models.map((name) => ({ name, model: name, modified_at: '2026-01-01T00:00:00Z', size: 4_000_000_000, digest: 'fake' })) });
			}
			if (req.method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: '0.12.0' });
			if (req.method === 'GET' && path === '/') {
				res.writeHead(200, { 'content-type': 'text/plain' });
				return res.end('Ollama is running');
			}
			sendJson(res, 404, { error: `404 page not found` });
		} catch (error) {
			sendJson(res, 500, { error: `Fake server failure: ${(error as Error).message}` });
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
