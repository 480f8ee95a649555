// The run's time limit and cancellation: one abort signal for every model and tool call, and whether it was the clock that fired.

export class RunTimedOut extends Error {
	constructor() {
		super('The time limit for this run was reached');
		this.name = 'RunTimedOut';
	}
}

export interface RunClock {
	/** Aborts when the time limit is reached or the caller cancels the run. */
	signal: AbortSignal;
	/** True once the time limit (not a cancellation) ended the run. */
	timedOut(): boolean;
	/** What is left of the time limit in ms (at least 1), or undefined when there is none. */
	remainingMs(): number | undefined;
	/** Time counted against the limit so far, including what earlier parts of a resumed run used. */
	usedMs(): number;
	/** Clears the timer and lets go of the caller's signal; call it when the run ends. */
	stop(): void;
}

/**
 * Starts the clock; `timeoutMs` 0 or absent means no limit. `alreadyUsedMs` is what a run resumed after a pause
 * spent before it: when that is the whole limit, the clock has run out at once. An already-aborted outer signal aborts at once.
 */
export function startRunClock(timeoutMs: number | undefined, outer?: AbortSignal, alreadyUsedMs = 0): RunClock {
	const controller = new AbortController();
	const started = Date.now();
	const limited = timeoutMs !== undefined && timeoutMs > 0;
	const left = limited ? timeoutMs - alreadyUsedMs : 0;
	const deadline = limited ? started + left : undefined;
	if (limited && left <= 0) controller.abort(new RunTimedOut());
	const timer = limited && left > 0 ? setTimeout(() => controller.abort(new RunTimedOut()), left) : undefined;
	const onOuterAbort = () => controller.abort(outer?.reason ?? new Error('The run was cancelled'));
	if (outer?.aborted) onOuterAbort();
	else outer?.addEventListener('abort', onOuterAbort, { once: true });
	return {
		signal: controller.signal,
		timedOut: () => controller.signal.aborted && controller.signal.reason instanceof RunTimedOut,
		remainingMs: () => (deadline === undefined ? undefined : Math.max(1, deadline - Date.now())),
		usedMs: () => alreadyUsedMs + (Date.now() - started),
		stop: () => {
			if (timer) clearTimeout(timer);
			outer?.removeEventListener('abort', onOuterAbort);
		},
	};
}

/** Settles with the promise, or rejects when the signal aborts (for tools and models that ignore signals). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) return Promise.reject(signal.reason ?? new RunTimedOut());
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason ?? new RunTimedOut());
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}
