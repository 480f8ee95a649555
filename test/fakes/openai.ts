// A scripted fake of api.openai.com (chat completions with tool calls and streaming, the Responses API without streaming, models, embeddings), following OpenAI's published API.
// It stands in for the real service, which cannot be reached from here; tests script the model's replies turn by turn.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { approxTokens, readBody, sendJson } from './http';

export interface ScriptedToolCall {
	id?: string;
	name: string;
	/** An object is sent as its JSON; a string is sent as is (so a test can send broken JSON). */
	arguments: object | string;
}

export interface ScriptedReply {
	content?: string;
	toolCalls?: ScriptedToolCall[];
	/** An HTTP error status to answer with instead of a completion. */
	status?: number;
	headers?: Record<string, string>;
	/** Raw error body for a `status` reply (default: OpenAI's error shape). */
	body?: unknown;
	/** Wait this long before answering. */
	delayMs?: number;
	/** Streamed: send the text a word per event, this long apart (a model writing slowly). */
	streamDelayMs?: number;
	usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface FakeRequest {
	body: any;
	headers: Record<string, string>;
}

export type Responder = (request: FakeRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface RecordedRequest {
	method: string;
	path: string;
	headers: Record<string, string>;
	body: any;
	/** Streamed answers: when the last piece of text was written. */
	lastTokenAt?: number;
}

export interface FakeOpenAI {
	/** Base URL ending in /v1, on 127.0.0.1. */
	url: string;
	requests: RecordedRequest[];
	/** Replaces the remaining script. */
	setScript(list: Array<ScriptedReply | Responder>): void;
	/** Every embeddings answer waits this long first (default 0), e.g. to stop something in the middle of an insert. */
	embeddingDelayMs: number;
	close(): Promise<void>;
}

export interface FakeOpenAIOptions {
	apiKey?: string;
	script?: Array<ScriptedReply | Responder>;
	embeddingDims?: number;
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'text-embedding-3-small', 'text-embedding-3-large'];

function errorBody(message: string, type: string, code: string | null) {
	return { error: { message, type, param: null, code } };
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((part) => (part && typeof part === 'object' && typeof part.text === 'string' ? part.text : ''))
			.join('');
	}
	return '';
}

function lastUserMessage(body: any): string {
	const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
	for (let i = messages.length - 1; i >= 0; i--) {
		if (messages[i]?.role === 'user') return textOf(messages[i].content);
	}
	return '';
}

/** Deterministic unit vector for a text: a PRNG seeded from the text's SHA-256. */
export function fakeEmbedding(text: string, dims: number): number[] {
	const seed = createHash('sha256').update(text, 'utf8').digest();
	let a = seed.readUInt32LE(0) ^ seed.readUInt32LE(4);
	let b = seed.readUInt32LE(8) ^ seed.readUInt32LE(12);
	let c = seed.readUInt32LE(16) ^ seed.readUInt32LE(20);
	let d = seed.readUInt32LE(24) ^ seed.readUInt32LE(28) || 1;
	// sfc32: small, fast, good enough spread for distinct vectors.
	const next = () => {
		a >>>= 0;
		b >>>= 0;
		c >>>= 0;
		d >>>= 0;
		let t = (a + b) | 0;
		a = b ^ (b >>> 9);
		b = (c + (c << 3)) | 0;
		c = (c << 21) | (c >>> 11);
		d = (d + 1) | 0;
		t = (t + d) | 0;
		c = (c + t) | 0;
		return (t >>> 0) / 4294967296;
	};
	const vector = new Array<number>(dims);
	let norm = 0;
	for (let i = 0; i < dims; i++) {
		const v = next() * 2 - 1;
		vector[i] = v;
		norm += v * v;
	}
	norm = Math.sqrt(norm) || 1;
	for (let i = 0; i < dims; i++) vector[i] /= norm;
	return vector;
}

function sleep(ms: number) {
	// Unref'd: a test that gave up waiting must not keep the process alive.
	return new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
	const apiKey = options.apiKey ?? 'sk-test-key';
	const defaultDims = options.embeddingDims ?? 1536;
	let script: Array<ScriptedReply | Responder> = [...(options.script ?? [])];
	const requests: RecordedRequest[] = [];
	let completionCounter = 0;
	let toolCallCounter = 0;

	async function chatCompletion(req: IncomingMessage, res: ServerResponse, body: any, headers: Record<string, string>) {
		const entry = script.shift();
		let reply: ScriptedReply;
		if (entry === undefined) reply = { content: lastUserMessage(body) };
		else if (typeof entry === 'function') reply = await entry({ body, headers });
		else reply = entry;
		if (reply.delayMs) await sleep(reply.delayMs);
		if (reply.status && reply.status >= 400) {
			const fallback = errorBody(`Scripted error (HTTP ${reply.status})`, reply.status === 429 ? 'requests' : 'server_error', null);
			sendJson(res, reply.status, reply.body ?? fallback, reply.headers);
			return;
		}
		const id = `chatcmpl-fake${++completionCounter}`;
		const created = Math.floor(Date.now() / 1000);
		const model = typeof body?.model === 'string' ? body.model : 'gpt-4o-mini';
		const toolCalls = (reply.toolCalls ?? []).map((call) => ({
			id: call.id ?? `call_fake${++toolCallCounter}`,
			type: 'function' as const,
			function: {
				name: call.name,
				arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
			},
		}));
		const content = reply.content ?? (toolCalls.length > 0 ? null : '');
		const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
		const promptTokens = reply.usage?.prompt_tokens ?? approxTokens(JSON.stringify(body?.messages ?? []));
		const completionTokens =
			reply.usage?.completion_tokens ?? approxTokens((content ?? '') + toolCalls.map((c) => c.function.name + c.function.arguments).join(''));
		const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };

		if (body?.stream === true) {
			if (res.destroyed) return;
			res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
			const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake' };
			const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
			const delta = (d: unknown, finish: string | null = null) =>
				send({ ...base, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] });
			delta({ role: 'assistant', content: toolCalls.length > 0 && !reply.content ? null : '', refusal: null });
			if (content && reply.streamDelayMs) {
				for (const word of content.match(/\S+\s*|\s+/g) ?? []) {
					await sleep(reply.streamDelayMs);
					delta({ content: word });
				}
				const record = requests.find((r) => r.body === body);
				if (record) record.lastTokenAt = Date.now();
			} else if (content) {
				// Several pieces, split on code points so multi-byte text (Hebrew, emoji) arrives whole.
				const chars = Array.from(content);
				const step = Math.max(1, Math.ceil(chars.length / 3));
				for (let i = 0; i < chars.length; i += step) delta({ content: chars.slice(i, i + step).join('') });
			}
			toolCalls.forEach((call, index) => {
				delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
				const args = call.function.arguments;
				const half = Math.ceil(args.length / 2);
				for (const piece of [args.slice(0, half), args.slice(half)]) {
					if (piece) delta({ tool_calls: [{ index, function: { arguments: piece } }] });
				}
			});
			delta({}, finishReason);
			if (body?.stream_options?.include_usage) send({ ...base, choices: [], usage });
			res.end('data: [DONE]\n\n');
			return;
		}
		const message: Record<string, unknown> = { role: 'assistant', content, refusal: null };
		if (toolCalls.length > 0) message.tool_calls = toolCalls;
		sendJson(
			res,
			200,
			{
				id,
				object: 'chat.completion',
				created,
				model,
				choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
				usage,
				system_fingerprint: 'fp_fake',
			},
			reply.headers,
		);
	}

	/**
	 * The Responses API (non-streaming), which n8n's OpenAI Chat Model uses from version 1.3 on by default.
	 * It serves the same script as chat completions; the echo fallback reads the last user input item.
	 */
	async function responsesApi(res: ServerResponse, body: any, headers: Record<string, string>) {
		const entry = script.shift();
		const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
		let reply: ScriptedReply;
		if (entry === undefined) {
			const lastUser = [...input].reverse().find((item: any) => item?.role === 'user');
			reply = { content: textOf(lastUser?.content) };
		} else if (typeof entry === 'function') reply = await entry({ body, headers });
		else reply = entry;
		if (reply.delayMs) await sleep(reply.delayMs);
		if (reply.status && reply.status >= 400) {
			const fallback = errorBody(`Scripted error (HTTP ${reply.status})`, reply.status === 429 ? 'requests' : 'server_error', null);
			sendJson(res, reply.status, reply.body ?? fallback, reply.headers);
			return;
		}
		const n = ++completionCounter;
		const output: unknown[] = [];
		if (reply.content) {
			output.push({
				type: 'message',
				id: `msg_fake${n}`,
				status: 'completed',
				role: 'assistant',
				content: [{ type: 'output_text', text: reply.content, annotations: [] }],
			});
		}
		for (const call of reply.toolCalls ?? []) {
			const callId = call.id ?? `call_fake${++toolCallCounter}`;
			output.push({
				type: 'function_call',
				id: `fc_${callId}`,
				call_id: callId,
				name: call.name,
				arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
				status: 'completed',
			});
		}
		if (output.length === 0) {
			output.push({ type: 'message', id: `msg_fake${n}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: '', annotations: [] }] });
		}
		const inputTokens = reply.usage?.prompt_tokens ?? approxTokens(JSON.stringify(input));
		const outputTokens = reply.usage?.completion_tokens ?? approxTokens(JSON.stringify(output));
		sendJson(
			res,
			200,
			{
				id: `resp_fake${n}`,
				object: 'response',
				created_at: Math.floor(Date.now() / 1000),
				status: 'completed',
				error: null,
				incomplete_details: null,
				model: typeof body.model === 'string' ? body.model : 'gpt-4o-mini',
				output,
				parallel_tool_calls: true,
				tool_choice: body.tool_choice ?? 'auto',
				tools: body.tools ?? [],
				usage: {
					input_tokens: inputTokens,
					input_tokens_details: { cached_tokens: 0 },
					output_tokens: outputTokens,
					output_tokens_details: { reasoning_tokens: 0 },
					total_tokens: inputTokens + outputTokens,
				},
			},
			reply.headers,
		);
	}

	function embeddings(res: ServerResponse, body: any) {
		const raw = body?.input;
		const inputs: unknown[] = Array.isArray(raw) && raw.some((x) => typeof x !== 'number') ? raw : [raw];
		if (raw === undefined || inputs.length === 0) {
			sendJson(res, 400, errorBody("'input' is a required property", 'invalid_request_error', null));
			return;
		}
		const dims = Number.isInteger(body?.dimensions) && body.dimensions > 0 ? body.dimensions : defaultDims;
		const base64 = body?.encoding_format === 'base64';
		let tokens = 0;
		const data = inputs.map((input, index) => {
			const text = typeof input === 'string' ? input : JSON.stringify(input);
			tokens += approxTokens(text);
			const vector = fakeEmbedding(text, dims);
			// The official SDKs ask for base64 (little-endian float32) by default.
			const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
			return { object: 'embedding', index, embedding };
		});
		sendJson(res, 200, {
			object: 'list',
			data,
			model: typeof body?.model === 'string' ? body.model : 'text-embedding-3-small',
			usage: { prompt_tokens: tokens, total_tokens: tokens },
		});
	}

	const server = createServer(async (req, res) => {
		try {
			const text = await readBody(req);
			const headers: Record<string, string> = {};
			for (const [key, value] of Object.entries(req.headers)) {
				headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value ?? '');
			}
			let body: any;
			try {
				body = text ? JSON.parse(text) : undefined;
			} catch {
				body = text;
			}
			const path = (req.url ?? '/').split('?')[0];
			requests.push({ method: req.method ?? 'GET', path, headers, body });

			if (headers.authorization !== `Bearer ${apiKey}`) {
				sendJson(
					res,
					401,
					errorBody(
						'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
						'invalid_request_error',
						'invalid_api_key',
					),
				);
				return;
			}
			if (req.method === 'GET' && path === '/v1/models') {
				sendJson(res, 200, {
					object: 'list',
					data: MODELS.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'openai' })),
				});
				return;
			}
			if (req.method === 'POST' && path === '/v1/chat/completions') {
				if (typeof body !== 'object' || !Array.isArray(body?.messages)) {
					sendJson(res, 400, errorBody("'messages' is a required property", 'invalid_request_error', null));
					return;
				}
				await chatCompletion(req, res, body, headers);
				return;
			}
			if (req.method === 'POST' && path === '/v1/responses') {
				if (typeof body !== 'object' || body?.input === undefined) {
					sendJson(res, 400, errorBody("'input' is a required property", 'invalid_request_error', null));
					return;
				}
				await responsesApi(res, body, headers);
				return;
			}
			if (req.method === 'POST' && path === '/v1/embeddings') {
				if (fake.embeddingDelayMs > 0) await sleep(fake.embeddingDelayMs);
				embeddings(res, body);
				return;
			}
			sendJson(res, 404, errorBody(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'));
		} catch (error) {
			sendJson(res, 500, errorBody(`Fake server failure: ${(error as Error).message}`, 'server_error', null));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	const fake: FakeOpenAI = {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		embeddingDelayMs: 0,
		setScript(list) {
			script = [...list];
		},
		close() {
			return new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			});
		},
	};
	return fake;
}
