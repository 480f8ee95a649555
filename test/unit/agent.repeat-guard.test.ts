// The repeat guard: a call identical to two earlier ones in the run is refused, whatever the key order or spacing of its arguments.
import { MAX_IDENTICAL_CALLS, RepeatGuard, repeatedCallProblem } from '../../nodes/AgentBrain/engine/repeatGuard';
import type { ToolCallRequest } from '../../nodes/AgentBrain/engine/types';

const call = (name: string, args: string): ToolCallRequest => ({ id: `${name}-${args}`, type: 'function', function: { name, arguments: args } });

describe('repeat guard', () => {
	it('lets a call run twice and refuses it the third time, across turns', () => {
		const guard = new RepeatGuard();
		expect(MAX_IDENTICAL_CALLS).toBe(2);
		expect(guard.repeats([call('lookup', '{"q":"x"}')])).toEqual([false]);
		expect(guard.repeats([call('lookup', '{"q":"x"}')])).toEqual([false]);
		expect(guard.repeats([call('lookup', '{"q":"x"}')])).toEqual([true]);
		expect(guard.repeats([call('lookup', '{"q":"x"}')])).toEqual([true]);
	});

	it('counts the calls of one turn in call order', () => {
		const same = call('lookup', '{"q":"x"}');
		expect(new RepeatGuard().repeats([same, same, same, call('lookup', '{"q":"y"}')])).toEqual([false, false, true, false]);
	});

	it('sees the same arguments in another key order or spacing as the same call', () => {
		const guard = new RepeatGuard();
		expect(guard.repeats([call('lookup', '{"a":1,"b":[1,{"c":2,"d":3}]}'), call('lookup', '{ "b": [1, {"d": 3, "c": 2}], "a": 1 }')])).toEqual([false, false]);
		expect(guard.repeats([call('lookup', '{"b":[1,{"c":2,"d":3}],"a":1}')])).toEqual([true]);
	});

	it('tells apart other tools, other arguments, and arrays in another order', () => {
		const guard = new RepeatGuard();
		for (let i = 0; i < 3; i++) guard.repeats([call('lookup', '{"q":"x"}')]);
		expect(guard.repeats([call('search', '{"q":"x"}'), call('lookup', '{"q":"X"}'), call('lookup', '{"q":["a","b"]}'), call('lookup', '{"q":["b","a"]}')])).toEqual([
			false,
			false,
			false,
			false,
		]);
	});

	it('compares arguments that are not JSON as text', () => {
		const guard = new RepeatGuard();
		expect(guard.repeats([call('lookup', '{"q": '), call('lookup', '{"q": '), call('lookup', '{"q":  '), call('lookup', '{"q": ')])).toEqual([false, false, false, true]);
	});

	it('tells the model to change course, naming the tool', () => {
		expect(repeatedCallProblem('web_search')).toMatch(/^web_search was already called 2 times with these exact arguments, so it was not run again.*Change course/);
	});
});
