// The answer of a run a guard stopped: after the iteration limit, one last call without tools for the best answer so far.
import type { Conversation } from './conversation';
import type { StopReason } from './types';

export const FINAL_ANSWER_PROMPT =
	'You have reached the maximum number of steps, so no more tools can be called. Using only the information gathered so far, give your best final answer to the task now, and say what remains uncertain.';

export interface StoppedRun {
	answer: string;
	stopReason: StopReason;
}

/**
 * Settles the answer of a run that stopped before the model answered. Only the iteration limit asks again (`mayAsk`:
 * time and tokens are left); when that call runs out of time the run is a timeout. Without a new answer, the
 * iteration limit keeps the model's last words. An answer becomes the last message of the turn kept for memory.
 */
export async function answerAfterStop(conversation: Conversation, stopReason: StopReason, iteration: number, mayAsk: boolean): Promise<StoppedRun> {
	let stop = stopReason;
	let answer = '';
	if (stop === 'max_iterations' && mayAsk) {
		conversation.say(FINAL_ANSWER_PROMPT, iteration);
		const response = await conversation.ask(iteration, false);
		if (response) answer = response.message.content ?? '';
		else stop = 'timeout';
	}
	if (answer === '' && stop === 'max_iterations') answer = conversation.lastAssistantText;
	if (answer) conversation.turn.push({ role: 'assistant', content: answer });
	return { answer, stopReason: stop };
}
