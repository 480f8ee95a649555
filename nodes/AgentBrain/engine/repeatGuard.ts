// The repeat guard: a tool call identical to two earlier ones in the run is not run a third time, and the model is told to change course.
import { canonicalJson } from './schema';
import type { ToolCallRequest } from './types';

/** A call identical to this many earlier ones is not run again: the model is looping. */
export const MAX_IDENTICAL_CALLS = 2;

/** What the model is told instead of the result of a repeated call. */
export function repeatedCallProblem(toolName: string): string {
	return `${toolName} was already called ${MAX_IDENTICAL_CALLS} times with these exact arguments, so it was not run again: it would give the same result. Change course: use the results you already have, try different arguments or another tool, or give your final answer`;
}

/** Same tool, same arguments whatever their key order or spacing; arguments that are not JSON compare as text. */
function callKey(call: ToolCallRequest): string {
	let args: unknown = call.function.arguments;
	try {
		args = JSON.parse(call.function.arguments);
	} catch {
		// Broken JSON is compared as text.
	}
	return `${call.function.name}\u0000${canonicalJson(args)}`;
}

/** Counts the calls of one run. */
export class RepeatGuard {
	private readonly counts: Map<string, number>;

	/** `counts`: what a paused run had counted, so a loop is caught across pauses too. */
	constructor(counts: Array<[string, number]> = []) {
		this.counts = new Map(counts);
	}

	snapshot(): Array<[string, number]> {
		return [...this.counts];
	}

	/**
	 * Which of one turn's calls are repeats, counted in call order before any runs, so concurrent calls of one turn
	 * count the same way every time.
	 */
	repeats(calls: ToolCallRequest[]): boolean[] {
		return calls.map((call) => {
			const key = callKey(call);
			const count = (this.counts.get(key) ?? 0) + 1;
			this.counts.set(key, count);
			return count > MAX_IDENTICAL_CALLS;
		});
	}
}
