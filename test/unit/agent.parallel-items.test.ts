// Items in Parallel: Agent Brain runs several items at once against the OpenAI fake; order, pairing, Continue On Fail, one shared 429 backoff, stopping, sessions.
import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest, type Responder, type ScriptedReply } from '../fakes/openai';
import { executeContext } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const KEY = 'sk-test-key';
let fake: FakeOpenAI;

useTemporaryUserFolder();

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY });
});
afterEach(async () => {
	await fake.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Setup {
	tasks: string[];
	options?: Record<string, unknown>;
	builtInTools?: string[];
	sessionId?: string;
	continueOnFail?: boolean;
	cancelSignal?: AbortSignal;
}

function execute(setup: Setup) {
	const items = setup.tasks.map((task) => ({ json: { task } }));
	const ctx = executeContext({
		nodeType: new AgentBrain(),
		items,
		parameters: (i) => ({
			task: setup.tasks[i],
			systemMessage: '',
			builtInTools: setup.builtInTools ?? [],
			sessionId: setup.sessionId ?? '',
			options: setup.options ?? {},
		}),
		credentials: { openAiCompatibleAgenticApi: { apiKey: KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } as ICredentialDataDecryptedObject },
		continueOnFail: setup.continueOnFail,
		connectionData: { ai_tool: [] },
		cancelSignal: setup.cancelSignal,
	});
	return new AgentBrain().execute.call(ctx) as Promise<INodeExecutionData[][]>;
}

/** Answers every call with its task after `delayFor(task)` ms, counting how many calls are in flight at once. */
function countingModel(delayFor: (task: string) => number) {
	const state = { inFlight: 0, maxInFlight: 0 };
	const responder: Responder = async (request: FakeRequest) => {
		const task: string = request.body.messages.at(-1).content;
		state.inFlight++;
		state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
		await sleep(delayFor(task));
		state.inFlight--;
		return { content: `answer to ${task}` };
	};
	return { state, script: Array.from({ length: 50 }, () => responder) };
}

describe('Agent Brain items in parallel', () => {
	it('runs up to Items in Parallel items at once and gives the outputs in input order, each paired with its item', async () => {
		const { state, script } = countingModel((task) => (task === 'task 0' ? 300 : 50));
		fake.setScript(script);
		const tasks = Array.from({ length: 6 }, (_, i) => `task ${i}`);
		const [output] = await execute({ tasks, options: { itemsInParallel: 3 } });
		expect(output.map((item) => item.json.answer)).toEqual(tasks.map((task) => `answer to ${task}`));
		expect(output.map((item) => item.pairedItem)).toEqual(tasks.map((_, item) => ({ item })));
		expect(state.maxInFlight).toBe(3);
	});

	it('runs four at once by default, and one after another with Items in Parallel 1', async () => {
		const tasks = Array.from({ length: 6 }, (_, i) => `task ${i}`);
		const byDefault = countingModel(() => 60);
		fake.setScript(byDefault.script);
		await execute({ tasks });
		expect(byDefault.state.maxInFlight).toBe(4);
		const oneByOne = countingModel(() => 20);
		fake.setScript(oneByOne.script);
		const [output] = await execute({ tasks, options: { itemsInParallel: 1 } });
		expect(oneByOne.state.maxInFlight).toBe(1);
		expect(output).toHaveLength(6);
	});

	it('with Continue On Fail, gives the failing item its error in its place and answers the others', async () => {
		const [output] = await execute({ tasks: ['first', '   ', 'third'], continueOnFail: true });
		expect(output.map((item) => item.json.answer ?? item.json.error)).toEqual(['first', 'The task is empty', 'third']);
		expect(output[1].pairedItem).toEqual({ item: 1 });
	});

	it('without Continue On Fail, one failing item stops the items still running', async () => {
		fake.setScript(Array.from({ length: 5 }, () => ({ content: 'slow', delayMs: 5000 })));
		const started = Date.now();
		await expect(execute({ tasks: ['slow one', '', 'slow two'] })).rejects.toThrow('The task is empty');
		expect(Date.now() - started).toBeLessThan(2000);
	});

	it('a cancelled execution stops every item', async () => {
		fake.setScript(Array.from({ length: 8 }, () => ({ content: 'slow', delayMs: 5000 })));
		const cancel = new AbortController();
		setTimeout(() => cancel.abort(), 200);
		const started = Date.now();
		await expect(execute({ tasks: ['a', 'b', 'c', 'd', 'e', 'f'], cancelSignal: cancel.signal })).rejects.toThrow();
		expect(Date.now() - started).toBeLessThan(2000);
		// The two items never started sent nothing.
		expect(fake.requests.length).toBe(4);
	});

	it('a 429 to one item makes every item wait out its Retry-After (one backoff shared)', async () => {
		const arrivals: number[] = [];
		let rateLimitedAt = 0;
		const responder: Responder = async (request) => {
			arrivals.push(Date.now());
			if (arrivals.length === 1) {
				rateLimitedAt = Date.now();
				return { status: 429, headers: { 'retry-after': '1' } } satisfies ScriptedReply;
			}
			await sleep(30);
			const answered = request.body.messages.some((m: { role: string }) => m.role === 'tool');
			return answered ? { content: 'done' } : { toolCalls: [{ name: 'current_datetime', arguments: {} }] };
		};
		fake.setScript(Array.from({ length: 20 }, () => responder));
		const [output] = await execute({ tasks: ['a', 'b', 'c', 'd'], builtInTools: ['currentDateTime'] });
		expect(output.map((item) => item.json.answer)).toEqual(['done', 'done', 'done', 'done']);
		// The first four calls went out together; every later one (the other items' second calls too) waited for the backoff.
		const later = arrivals.slice(4);
		expect(later).toHaveLength(5);
		for (const at of later) expect(at - rateLimitedAt).toBeGreaterThanOrEqual(950);
	});

	it('runs items of the same session one after another, each seeing the turn before', async () => {
		const [output] = await execute({ tasks: ['My name is Dana.', 'What is my name?'], sessionId: 'dana' });
		expect(output.map((item) => item.json.answer)).toEqual(['My name is Dana.', 'What is my name?']);
		const second = fake.requests[1].body.messages.map((m: { content: string }) => m.content);
		expect(second).toEqual(['My name is Dana.', 'My name is Dana.', 'What is my name?']);
	});
});
