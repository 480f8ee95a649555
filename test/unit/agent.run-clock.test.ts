// The run's clock: one abort signal for the time limit and the caller's cancellation, and which of the two ended the run.
import { RunTimedOut, raceAbort, startRunClock } from '../../nodes/AgentBrain/engine/runClock';

describe('run clock', () => {
	it('aborts at the time limit and says the clock ended the run', async () => {
		const clock = startRunClock(30);
		expect(clock.remainingMs()).toBeGreaterThan(0);
		expect(clock.remainingMs()).toBeLessThanOrEqual(30);
		await new Promise((resolve) => clock.signal.addEventListener('abort', resolve));
		expect(clock.timedOut()).toBe(true);
		expect(clock.signal.reason).toBeInstanceOf(RunTimedOut);
		expect(clock.remainingMs()).toBe(1);
		clock.stop();
	});

	it('has no limit for 0 or none', () => {
		for (const limit of [0, undefined]) {
			const clock = startRunClock(limit);
			expect(clock.remainingMs()).toBeUndefined();
			expect(clock.signal.aborted).toBe(false);
			clock.stop();
		}
	});

	it('aborts when the caller cancels, which is not a timeout', () => {
		const outer = new AbortController();
		const clock = startRunClock(10_000, outer.signal);
		outer.abort(new Error('Execution stopped'));
		expect(clock.signal.aborted).toBe(true);
		expect(clock.timedOut()).toBe(false);
		expect((clock.signal.reason as Error).message).toBe('Execution stopped');
		clock.stop();
	});

	it('starts aborted when the caller already cancelled', () => {
		const outer = new AbortController();
		outer.abort();
		const clock = startRunClock(undefined, outer.signal);
		expect(clock.signal.aborted).toBe(true);
		clock.stop();
	});

	it('lets go of the caller\'s signal once stopped', () => {
		const outer = new AbortController();
		const clock = startRunClock(undefined, outer.signal);
		clock.stop();
		outer.abort();
		expect(clock.signal.aborted).toBe(false);
	});

	it('settles a promise that ignores the signal as soon as the signal aborts', async () => {
		const controller = new AbortController();
		const pending = raceAbort(new Promise(() => undefined), controller.signal);
		controller.abort(new RunTimedOut());
		await expect(pending).rejects.toBeInstanceOf(RunTimedOut);
		await expect(raceAbort(Promise.resolve('done'), new AbortController().signal)).resolves.toBe('done');
		await expect(raceAbort(Promise.reject(new Error('tool broke')), new AbortController().signal)).rejects.toThrow('tool broke');
	});
});
