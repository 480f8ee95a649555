// Structured answers: the JSON found in an answer, checked against the output schema, with one chance to fix an answer that does not fit.
import { Conversation } from '../../nodes/AgentBrain/engine/conversation';
import { startRunClock, type RunClock } from '../../nodes/AgentBrain/engine/runClock';
import { checkStructured, parseJsonAnswer, settleStructuredAnswer } from '../../nodes/AgentBrain/engine/structuredOutput';
import type { AssistantMessage, ChatModel, ChatRequest, JsonSchema } from '../../nodes/AgentBrain/engine/types';

const SCHEMA: JsonSchema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'] };
const clocks: RunClock[] = [];
afterEach(() => clocks.splice(0).forEach((clock) => clock.stop()));

/** An in-process model answering from a list (the ChatModel interface is the engine's own). */
function model(replies: string[]): ChatModel & { requests: ChatRequest[] } {
	const requests: ChatRequest[] = [];
	return {
		requests,
		async complete(request) {
			requests.push(request);
			return { message: { role: 'assistant', content: replies.shift() ?? '' }, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };
		},
	};
}

/** A conversation in which the model has answered `answer` (as a completed run has). */
function answered(chat: ChatModel, answer: string): Conversation {
	const clock = startRunClock(undefined);
	clocks.push(clock);
	const conversation = new Conversation(chat, clock, [], { task: 'Which city?', outputSchema: SCHEMA });
	const message: AssistantMessage = { role: 'assistant', content: answer };
	conversation.answered(message);
	return conversation;
}

describe('parseJsonAnswer', () => {
	it.each([
		['bare JSON', '{"a": 1}'],
		['a ```json fence', 'Here:\n```json\n{"a": 1}\n```\nDone.'],
		['a sentence around it', 'The result is {"a": 1}, as asked.'],
	])('finds the JSON in %s', (_case, text) => {
		expect(parseJsonAnswer(text)).toEqual({ ok: true, value: { a: 1 } });
	});

	it('says why there is no JSON', () => {
		expect(parseJsonAnswer('')).toEqual({ ok: false, error: 'the answer is empty' });
		expect(parseJsonAnswer('Paris, I think')).toEqual({ ok: false, error: expect.stringMatching(/^the answer is not valid JSON \(.+\)$/) });
	});
});

describe('checkStructured', () => {
	it('gives the parsed value when it fits, and the schema problems when not', () => {
		expect(checkStructured('{"city": "Paris", "population": 2102650}', SCHEMA)).toEqual({ ok: true, value: { city: 'Paris', population: 2102650 } });
		expect(checkStructured('{"city": "Paris"}', SCHEMA)).toEqual({ ok: false, errors: ['/population is required'] });
	});
});

describe('structured-output repair', () => {
	it('asks nothing when the answer fits', async () => {
		const chat = model([]);
		const settled = await settleStructuredAnswer(answered(chat, '{"city": "Paris", "population": 1}'), '{"city": "Paris", "population": 1}', SCHEMA, 1, true);
		expect(settled.check).toEqual({ ok: true, value: { city: 'Paris', population: 1 } });
		expect(chat.requests).toHaveLength(0);
	});

	it('asks once, naming the problems, and takes a correction that fits, in the stored turn too', async () => {
		const chat = model(['{"city": "Paris", "population": 2102650}']);
		const conversation = answered(chat, '{"city": "Paris"}');
		const settled = await settleStructuredAnswer(conversation, '{"city": "Paris"}', SCHEMA, 2, true);
		expect(settled).toEqual({ answer: '{"city": "Paris", "population": 2102650}', check: { ok: true, value: { city: 'Paris', population: 2102650 } } });
		expect(chat.requests).toHaveLength(1);
		expect(chat.requests[0].tools).toBeUndefined();
		const [answer, fix] = chat.requests[0].messages.slice(-2);
		expect(answer).toEqual({ role: 'assistant', content: '{"city": "Paris"}' });
		expect(fix).toEqual({ role: 'user', content: expect.stringMatching(/^Your answer does not fit the required JSON Schema: \/population is required\. Reply with only the corrected JSON/) });
		expect(conversation.turn.at(-1)).toEqual({ role: 'assistant', content: '{"city": "Paris", "population": 2102650}' });
		expect(conversation.trace.filter((t) => t.direction === 'sent').at(-1)).toMatchObject({ iteration: 2, role: 'user' });
	});

	it('keeps the first answer and its problems when the correction does not fit either', async () => {
		const chat = model(['{"city": 7}']);
		const conversation = answered(chat, 'Paris');
		const settled = await settleStructuredAnswer(conversation, 'Paris', SCHEMA, 1, true);
		expect(settled.answer).toBe('Paris');
		expect(settled.check).toEqual({ ok: false, errors: [expect.stringMatching(/not valid JSON/)] });
		expect(conversation.turn.at(-1)).toEqual({ role: 'assistant', content: 'Paris' });
		expect(chat.requests).toHaveLength(1);
	});

	it('puts the answer before the request to fix it when the last message was the run\'s own (after the iteration limit)', async () => {
		const chat = model(['{"city": "Paris", "population": 3}']);
		const conversation = answered(chat, 'ignored');
		conversation.say('You have reached the maximum number of steps', 1);
		await settleStructuredAnswer(conversation, 'Paris, roughly', SCHEMA, 1, true);
		expect(chat.requests[0].messages.slice(-2).map((m) => [m.role, m.content])).toEqual([
			['assistant', 'Paris, roughly'],
			['user', expect.stringMatching(/^Your answer does not fit/)],
		]);
	});

	it('does not ask when no time or tokens are left, or when there is no answer to fix', async () => {
		const chat = model(['{"city": "Paris", "population": 3}']);
		expect((await settleStructuredAnswer(answered(chat, 'Paris'), 'Paris', SCHEMA, 1, false)).check.ok).toBe(false);
		expect((await settleStructuredAnswer(answered(chat, ''), '', SCHEMA, 1, true)).check).toEqual({ ok: false, errors: ['the answer is empty'] });
		expect(chat.requests).toHaveLength(0);
	});
});
