// Agent Brain's conversation memory survives an n8n restart: the second n8n process sees the first one's turn.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedNodesDir } from './communityPackage';
import { startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';

const OPENAI_KEY = 'sk-e2e-memory-key';

const workflow: WorkflowSpec = {
	name: 'Agent Brain with memory',
	nodes: [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'agent-memory',
			parameters: { httpMethod: 'POST', path: 'agent-memory', responseMode: 'responseNode', options: {} },
		},
		{
			name: 'Agent Brain',
			type: 'n8n-nodes-agentic.agentBrain',
			typeVersion: 1,
			position: [300, 0],
			parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: [], sessionId: '={{ $json.body.sessionId }}' },
			credentials: { openAiCompatibleAgenticApi: { name: 'Fake OpenAI' } },
		},
		{ name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 0], parameters: { respondWith: 'firstIncomingItem', options: {} } },
	],
	connections: {
		Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
		'Agent Brain': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
	},
};

let openai: FakeOpenAI;
let userFolder: string;
let n8n: N8nInstance | undefined;

beforeAll(async () => {
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	// One user folder for both n8n processes (database and sessions alike), with this package installed in it.
	userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-agent-memory-'));
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	fs.symlinkSync(await cachedNodesDir(), path.join(userFolder, '.n8n', 'nodes'), 'dir');
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await openai?.close();
	fs.rmSync(userFolder, { recursive: true, force: true });
});

it('remembers a session across an n8n restart', async () => {
	// The same encryption key too, or the second process could not read the credential the first one saved.
	const env = { N8N_USER_FOLDER: userFolder, N8N_ENCRYPTION_KEY: 'agent-memory-e2e-encryption-key' };
	n8n = await startN8n({
		env,
		credentials: [{ name: 'Fake OpenAI', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } }],
		workflows: [workflow],
	});
	openai.setScript([{ content: 'Nice to meet you, Dana.' }]);
	const first = await n8n.webhook('POST', 'agent-memory', { task: 'My name is Dana.', sessionId: 'visitor-1' });
	expect(first.body.answer).toBe('Nice to meet you, Dana.');
	await n8n.stop();
	n8n = undefined;
	expect(fs.readdirSync(path.join(userFolder, '.n8n', 'agentic', 'sessions'))).toHaveLength(1);

	// The workflow and credential are in the database now; the new process only logs in.
	n8n = await startN8n({ env });
	openai.setScript([
		(request) => {
			const remembered = request.body.messages.some((m: { content: string }) => m.content === 'My name is Dana.');
			return { content: remembered ? 'Your name is Dana.' : 'I do not know your name.' };
		},
	]);
	const second = await n8n.webhook('POST', 'agent-memory', { task: 'What is my name?', sessionId: 'visitor-1' });
	expect(second.body.answer).toBe('Your name is Dana.');
	expect(openai.requests.at(-1)?.body.messages.map((m: { role: string; content: string }) => `${m.role}: ${m.content}`)).toEqual([
		'system: You are a helpful assistant. Use the tools when they help, and answer the task directly.',
		'user: My name is Dana.',
		'assistant: Nice to meet you, Dana.',
		'user: What is my name?',
	]);
}, 600_000);
