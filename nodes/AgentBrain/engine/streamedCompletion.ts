// A streamed chat completion (stream: true) read as its server-sent events arrive: text handed on piece by piece, tool calls and usage put back together.
import { AgenticError } from '../../shared/errors';
import { isPlainObject } from './schema';
import { parseCompletion } from './model';
import type { ChatResponse } from './types';

/** The `data:` payloads of a server-sent event stream, one per event, as they arrive. */
async function* eventData(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
	const decoder = new TextDecoder();
	let buffered = '';
	for await (const part of body) {
		buffered += typeof part === 'string' ? part : decoder.decode(part, { stream: true });
		let end: number;
		while ((end = buffered.search(/\r?\n\r?\n/)) >= 0) {
			const event = buffered.slice(0, end);
			buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, '');
			const data = event
				.split(/\r?\n/)
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).replace(/^ /, ''))
				.join('\n');
			if (data) yield data;
		}
	}
	if (buffered.trim().startsWith('data:')) yield buffered.trim().slice(5).trim();
}

function jsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

interface PartialCall {
	id?: string;
	name: string;
	arguments: string;
}

/** Reads the stream to its end; `onText` gets each piece of the answer's text as soon as it comes. */
export async function readStreamedCompletion(body: unknown, onText: (text: string) => void): Promise<ChatResponse> {
	if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
		// A server that ignored stream: true answered with one JSON body.
		const response = parseCompletion(body);
		if (response.message.content) onText(response.message.content);
		return response;
	}
	let content = '';
	const calls: PartialCall[] = [];
	let usage: unknown;
	for await (const data of eventData(body as AsyncIterable<Uint8Array | string>)) {
		if (data === '[DONE]') break;
		const chunk = jsonOrUndefined(data);
		if (chunk === undefined) throw new AgenticError('upstream', `The model server sent a stream event that is not JSON: ${data.slice(0, 200)}`);
		if (!isPlainObject(chunk)) continue;
		if (isPlainObject(chunk.usage)) usage = chunk.usage;
		const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
		const delta = isPlainObject(choice) && isPlainObject(choice.delta) ? choice.delta : {};
		if (typeof delta.content === 'string' && delta.content !== '') {
			content += delta.content;
			onText(delta.content);
		}
		for (const raw of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
			if (!isPlainObject(raw)) continue;
			const index = Number.isInteger(raw.index) ? (raw.index as number) : calls.length;
			const call = (calls[index] ??= { name: '', arguments: '' });
			const fn = isPlainObject(raw.function) ? raw.function : {};
			if (typeof raw.id === 'string' && raw.id) call.id = raw.id;
			if (typeof fn.name === 'string') call.name += fn.name;
			if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
		}
	}
	const toolCalls = calls.filter(Boolean).map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
	const message = { role: 'assistant', content: content || (toolCalls.length ? null : ''), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
	return parseCompletion({ choices: [{ message }], usage: usage ?? {} });
}
