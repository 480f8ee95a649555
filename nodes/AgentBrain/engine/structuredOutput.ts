// Structured answers: the JSON in an answer checked against the output schema, with one chance for the model to fix one that does not fit.
import type { Conversation } from './conversation';
import { validateJsonSchema } from './schema';
import type { JsonSchema } from './types';

export type StructuredCheck = { ok: true; value: unknown } | { ok: false; errors: string[] };

/** Finds the JSON value in an answer, tolerating a ```json fence or a sentence around it. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
	const candidates: string[] = [text.trim()];
	const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
	if (fenced) candidates.push(fenced[1].trim());
	const start = text.search(/[[{]/);
	const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
	if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));
	let lastError = 'the answer is empty';
	for (const candidate of candidates) {
		if (!candidate) continue;
		try {
			return { ok: true, value: JSON.parse(candidate) };
		} catch (error) {
			lastError = `the answer is not valid JSON (${error instanceof Error ? error.message : String(error)})`;
		}
	}
	return { ok: false, error: lastError };
}

export function checkStructured(answer: string, schema: JsonSchema): StructuredCheck {
	const parsed = parseJsonAnswer(answer);
	if (!parsed.ok) return { ok: false, errors: [parsed.error] };
	const errors = validateJsonSchema(parsed.value, schema);
	return errors.length === 0 ? { ok: true, value: parsed.value } : { ok: false, errors };
}

export interface StructuredAnswer {
	/** The answer, replaced by the model's correction when that one fits. */
	answer: string;
	check: StructuredCheck;
}

/**
 * Checks the answer against the schema; when it does not fit and the run may still call the model (`mayAsk`), asks
 * once for the corrected JSON. A correction that fits replaces the answer, in the turn kept for memory too; one that
 * does not leaves the first answer and its errors.
 */
export async function settleStructuredAnswer(
	conversation: Conversation,
	answer: string,
	schema: JsonSchema,
	iteration: number,
	mayAsk: boolean,
): Promise<StructuredAnswer> {
	const check = checkStructured(answer, schema);
	if (check.ok || !mayAsk || answer === '') return { answer, check };
	if (conversation.messages.at(-1)?.role !== 'assistant') conversation.messages.push({ role: 'assistant', content: answer });
	conversation.say(
		`Your answer does not fit the required JSON Schema: ${check.errors.join('; ')}. Reply with only the corrected JSON, nothing else.`,
		iteration,
	);
	const response = await conversation.ask(iteration, false);
	if (!response) return { answer, check };
	const corrected = response.message.content ?? '';
	const second = checkStructured(corrected, schema);
	if (!second.ok) return { answer, check };
	conversation.turn[conversation.turn.length - 1] = { role: 'assistant', content: corrected };
	return { answer: corrected, check: second };
}
