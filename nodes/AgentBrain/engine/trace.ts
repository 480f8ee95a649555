// The run's trace: every message sent to and received from the model and every tool observation, with secrets removed; and its markdown rendering.
import { redactSecrets } from '../../shared/errors';
import type { ChatMessage, TraceEntry } from './types';

/** Returns a copy of any JSON value (an answer, tool call records, a turn) in which no secret appears, at any depth. */
export function redactJson<T>(value: T, secrets: Array<string | undefined>): T {
	const live = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
	if (live.length === 0 || value === undefined) return value;
	return JSON.parse(redactSecrets(JSON.stringify(value), live.map((s) => JSON.stringify(s).slice(1, -1)))) as T;
}

/** How a message appears in the trace: who said it, in which iteration, with its tool calls or the call it answers. */
export function traceEntryOf(message: ChatMessage, iteration: number, direction: TraceEntry['direction']): TraceEntry {
	const entry: TraceEntry = { iteration, direction, role: message.role, content: message.content };
	if (message.role === 'assistant' && message.tool_calls) {
		entry.toolCalls = message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
	}
	if (message.role === 'tool') entry.toolCallId = message.tool_call_id;
	return entry;
}

function fence(text: string): string {
	const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
	const ticks = '`'.repeat(longest + 1);
	return `${ticks}\n${text}\n${ticks}`;
}

function prettyArguments(args: string): string {
	try {
		return JSON.stringify(JSON.parse(args), null, 2);
	} catch {
		return args;
	}
}

/** A readable account of the run, one heading per message, for people debugging a workflow. */
export function traceToMarkdown(trace: TraceEntry[]): string {
	const lines: string[] = ['# Agent trace'];
	let iteration = -1;
	for (const entry of trace) {
		if (entry.iteration !== iteration) {
			iteration = entry.iteration;
			lines.push('', iteration === 0 ? '## Setup' : `## Iteration ${iteration}`);
		}
		const timing = entry.ms !== undefined ? ` (${Math.round(entry.ms)} ms)` : '';
		const tokens = entry.usage ? `, ${entry.usage.totalTokens} tokens` : '';
		if (entry.direction === 'tool') {
			lines.push('', `### Tool result${entry.toolCallId ? ` \`${entry.toolCallId}\`` : ''}${timing}`, '', fence(entry.content ?? ''));
			continue;
		}
		const who = entry.direction === 'received' ? 'Model' : entry.role === 'system' ? 'System' : entry.role === 'user' ? 'User' : entry.role === 'tool' ? 'Tool (earlier)' : 'Assistant (earlier)';
		lines.push('', `### ${who}${timing}${tokens}`);
		if (entry.content) lines.push('', entry.content);
		for (const call of entry.toolCalls ?? []) {
			lines.push('', `- calls \`${call.name}\` (\`${call.id}\`)`, '', fence(prettyArguments(call.arguments)));
		}
	}
	return lines.join('\n') + '\n';
}
