// The Memory input: a connected chat memory's turns are loaded before each run and the task and answer saved after it, as text.
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { executeContext } from '../helpers/executeContext';

const KEY = 'sk-test-key';
let fake: FakeOpenAI;
let userFolder: string;
const savedUserFolder = process.env.N8N_USER_FOLDER;

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY });
	userFolder = mkdtempSync(join(tmpdir(), 'n8n-user-'));
	process.env.N8N_USER_FOLDER = userFolder;
});
afterEach(async () => {
	await fake.close();
	rmSync(userFolder, { recursive: true, force: true });
	if (savedUserFolder === undefined) delete process.env.N8N_USER_FOLDER;
	else process.env.N8N_USER_FOLDER = savedUserFolder;
});

/** Stored messages as LangChain's BaseMessage gives them: a type behind _getType(), content, and tool calls on AI messages. */
function message(type: string, content: unknown, extra: Record<string, unknown> = {}) {
	return { _getType: () => type, content, ...extra };
}

/** A stand-in for the BufferWindowMemory n8n's memory nodes supply: messages out, one saveContext per turn in. */
function chatMemory(stored: unknown[]) {
	const saved: Array<[Record<string, unknown>, Record<string, unknown>]> = [];
	return {
		saved,
		memory: {
			memoryKeys: ['chat_history'],
			loadMemoryVariables: async () => ({ chat_history: [...stored] }),
			saveContext: async (input: Record<string, unknown>, output: Record<string, unknown>) => {
				saved.push([input, output]);
			},
		},
	};
}

function execute(memory: unknown, tasks = ['What is my name?'], extra: Record<string, unknown> = {}) {
	const items = tasks.map((task) => ({ json: { task } }));
	const ctx = executeContext({
		nodeType: new AgentBrain(),
		items,
		parameters: (i) => ({ task: tasks[i], systemMessage: '', builtInTools: [], ...extra }),
		credentials: { openAiCompatibleAgenticApi: { apiKey: KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } as ICredentialDataDecryptedObject },
		connectionData: { ai_memory: memory, ai_tool: [] },
		subNodes: { ai_memory: ['Simple Memory'] },
	});
	return new AgentBrain().execute.call(ctx) as Promise<INodeExecutionData[][]>;
}

describe('Agent Brain with a connected Memory node', () => {
	it('sends the stored turns as text before the task, leaving tool calls and results out, and saves the task and answer', async () => {
		const { memory, saved } = chatMemory([
			message('human', 'My name is Dana.'),
			message('ai', '', { tool_calls: [{ id: 'c1', name: 'lookup', args: {} }] }),
			message('tool', 'looked up', { tool_call_id: 'c1' }),
			message('ai', [{ type: 'text', text: 'Nice to meet you, Dana.' }]),
		]);
		fake.setScript([{ content: 'Your name is Dana.' }]);
		const [[item]] = await execute(memory);
		expect(item.json.answer).toBe('Your name is Dana.');
		expect(fake.requests[0].body.messages).toEqual([
			{ role: 'user', content: 'My name is Dana.' },
			{ role: 'assistant', content: 'Nice to meet you, Dana.' },
			{ role: 'user', content: 'What is my name?' },
		]);
		expect(saved).toEqual([[{ input: 'What is my name?' }, { output: 'Your name is Dana.' }]]);
	});

	it('takes the place of the Session ID store, which then keeps nothing', async () => {
		const { memory } = chatMemory([]);
		await execute(memory, ['hello'], { sessionId: 'dana' });
		const sessions = join(userFolder, '.n8n', 'agentic', 'sessions');
		expect(existsSync(sessions) ? readdirSync(sessions) : []).toEqual([]);
	});

	it('runs items one after another, each seeing what the one before saved', async () => {
		const stored: unknown[] = [];
		const memory = {
			loadMemoryVariables: async () => ({ chat_history: [...stored] }),
			saveContext: async (input: { input: string }, output: { output: string }) => {
				stored.push(message('human', input.input), message('ai', output.output));
			},
		};
		const [output] = await execute(memory, ['first', 'second'], { options: { itemsInParallel: 4 } });
		expect(output.map((item) => item.json.answer)).toEqual(['first', 'second']);
		expect(fake.requests[1].body.messages.map((m: { content: string }) => m.content)).toEqual(['first', 'first', 'second']);
	});

	it('refuses a node on the Memory input that is not a chat memory, naming it', async () => {
		await expect(execute({ getTools: () => [] })).rejects.toThrow('The node on the Memory input ("Simple Memory") is not a chat memory');
		expect(fake.requests).toHaveLength(0);
	});
});
