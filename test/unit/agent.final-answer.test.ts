// The answer of a run a guard stopped: one last call without tools after the iteration limit, or the model's last words.
import { Conversation } from '../../nodes/AgentBrain/engine/conversation';
import { FINAL_ANSWER_PROMPT, answerAfterStop } from '../../nodes/AgentBrain/engine/finalAnswer';
import { startRunClock, type RunClock } from '../../nodes/AgentBrain/engine/runClock';
import type { ChatModel, ChatRequest, ToolDefinition } from '../../nodes/AgentBrain/engine/types';

const TOOLS: ToolDefinition[] = [{ name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: {} } }];
const clocks: RunClock[] = [];
afterEach(() => clocks.splice(0).forEach((clock) => clock.stop()));

/** An in-process model answering from a list (the ChatModel interface is the engine's own). */
function model(replies: Array<string | 'hang'>): ChatModel & { requests: ChatRequest[] } {
	const requests: ChatRequest[] = [];
	return {
		requests,
		async complete(request) {
			requests.push(request);
			const reply = replies.shift();
			if (reply === 'hang') return new Promise(() => undefined);
			return { message: { role: 'assistant', content: reply ?? '' }, usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 } };
		},
	};
}

async function conversationAfterSteps(chat: ChatModel, timeoutMs?: number) {
	const clock = startRunClock(timeoutMs);
	clocks.push(clock);
	const conversation = new Conversation(chat, clock, TOOLS, { task: 'Find it' });
	// One step in which the model thought aloud, as a run that hit its limit has.
	await conversation.ask(1, true);
	return conversation;
}

describe('final answer after a stop', () => {
	it('after the iteration limit, asks once without tools and keeps that answer in the turn', async () => {
		const chat = model(['still looking', 'Best effort: Paris.']);
		const conversation = await conversationAfterSteps(chat);
		const stopped = await answerAfterStop(conversation, 'max_iterations', 1, true);
		expect(stopped).toEqual({ answer: 'Best effort: Paris.', stopReason: 'max_iterations' });
		expect(chat.requests).toHaveLength(2);
		expect(chat.requests[1].tools).toBeUndefined();
		expect(chat.requests[1].messages.at(-1)).toEqual({ role: 'user', content: FINAL_ANSWER_PROMPT });
		expect(conversation.turn.at(-1)).toEqual({ role: 'assistant', content: 'Best effort: Paris.' });
		expect(conversation.trace.map((t) => `${t.iteration}:${t.direction}`)).toEqual(['0:sent', '1:received', '1:sent', '1:received']);
		expect(conversation.usage.totalTokens).toBe(16);
	});

	it('keeps the model\'s last words when it may not ask again (no time or tokens left)', async () => {
		const chat = model(['still looking']);
		const conversation = await conversationAfterSteps(chat);
		const stopped = await answerAfterStop(conversation, 'max_iterations', 1, false);
		expect(stopped).toEqual({ answer: 'still looking', stopReason: 'max_iterations' });
		expect(chat.requests).toHaveLength(1);
		expect(conversation.turn.at(-1)).toEqual({ role: 'assistant', content: 'still looking' });
	});

	it('keeps the last words too when the last call answers with nothing', async () => {
		const conversation = await conversationAfterSteps(model(['still looking', '']));
		expect(await answerAfterStop(conversation, 'max_iterations', 1, true)).toEqual({ answer: 'still looking', stopReason: 'max_iterations' });
	});

	it('becomes a timeout with no answer when the last call runs out of time', async () => {
		const chat = model(['still looking', 'hang']);
		const conversation = await conversationAfterSteps(chat, 100);
		const stopped = await answerAfterStop(conversation, 'max_iterations', 1, true);
		expect(stopped).toEqual({ answer: '', stopReason: 'timeout' });
		expect(conversation.turn.map((m) => m.role)).toEqual(['user']);
	});

	it.each(['timeout', 'token_budget'] as const)('gives no answer and asks nothing after a %s stop', async (stopReason) => {
		const chat = model(['still looking']);
		const conversation = await conversationAfterSteps(chat);
		expect(await answerAfterStop(conversation, stopReason, 1, true)).toEqual({ answer: '', stopReason });
		expect(chat.requests).toHaveLength(1);
		expect(conversation.turn.map((m) => m.role)).toEqual(['user']);
	});
});

describe('the tool-less call', () => {
	it('gets the tool rounds as text, roles alternating: providers such as Anthropic and Bedrock refuse tool blocks without tools', async () => {
		const chat = model(['Best effort: 42.']);
		const clock = startRunClock(undefined);
		clocks.push(clock);
		const conversation = new Conversation(chat, clock, TOOLS, { task: 'Find it', systemMessage: 'Be brief.' });
		conversation.toolRound({ role: 'assistant', content: 'Looking.', tool_calls: [{ id: 'a', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }, { id: 'b', type: 'function', function: { name: 'lookup', arguments: '{"q":"y"}' } }] }, [
			{ message: { role: 'tool', tool_call_id: 'a', content: 'x is 40' }, entry: { iteration: 1, direction: 'tool', role: 'tool', content: 'x is 40' } },
			{ message: { role: 'tool', tool_call_id: 'b', content: 'y is 2' }, entry: { iteration: 1, direction: 'tool', role: 'tool', content: 'y is 2' } },
		]);
		await answerAfterStop(conversation, 'max_iterations', 1, true);
		expect(chat.requests[0].tools).toBeUndefined();
		expect(chat.requests[0].messages).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Find it' },
			{ role: 'assistant', content: 'Looking.\nCalling lookup with {"q":"x"}\nCalling lookup with {"q":"y"}' },
			{ role: 'user', content: `Result of lookup: x is 40\n\nResult of lookup: y is 2\n\n${FINAL_ANSWER_PROMPT}` },
		]);
		// The conversation itself keeps the real tool messages (memory, trace).
		expect(conversation.messages.filter((m) => m.role === 'tool')).toHaveLength(2);
	});
});
