// Agent Brain with n8n's own memory nodes on its Memory input, in real n8n 2.41.1 and 1.123: Simple Memory, Postgres Chat
// Memory against a real Postgres and Redis Chat Memory against a real Redis; a second webhook call continues the conversation.
import { query, startPostgres, type PostgresServer } from '../helpers/postgres';
import { startRedis, type RedisServer } from '../helpers/redis';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { DEFAULT_RUNTIME, N8N1_RUNTIME, type RuntimeSpec } from './runtime';

const OPENAI_KEY = 'sk-e2e-memory-nodes-key';
const session = { sessionIdType: 'customKey', sessionKey: '={{ $json.body.session }}', contextWindowLength: 5 };

const MEMORY_NODES: Record<string, WorkflowSpec['nodes'][number]> = {
	simple: { name: 'Simple Memory', type: '@n8n/n8n-nodes-langchain.memoryBufferWindow', typeVersion: 1.3, parameters: session },
	postgres: {
		name: 'Postgres Chat Memory',
		type: '@n8n/n8n-nodes-langchain.memoryPostgresChat',
		typeVersion: 1.3,
		parameters: { ...session, tableName: 'n8n_chat_histories' },
		credentials: { postgres: { name: 'Postgres' } },
	},
	redis: {
		name: 'Redis Chat Memory',
		type: '@n8n/n8n-nodes-langchain.memoryRedisChat',
		typeVersion: 1.5,
		parameters: { ...session, sessionTTL: 0 },
		credentials: { redis: { name: 'Redis' } },
	},
};

function memoryWorkflow(kind: string): WorkflowSpec {
	const memory = { ...MEMORY_NODES[kind], position: [300, 200] };
	const path = `memory-${kind}`;
	return {
		name: `Agent Brain with ${memory.name}`,
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `agent-${path}`, parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} } },
			{
				name: 'Agent Brain',
				type: 'n8n-nodes-agentic.agentBrain',
				typeVersion: 1,
				position: [300, 0],
				parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: [], systemMessage: '' },
				credentials: { openAiCompatibleAgenticApi: { name: 'OpenAI-compatible' } },
			},
			memory,
			{ name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 0], parameters: { respondWith: 'firstIncomingItem', options: {} } },
		],
		connections: {
			Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
			'Agent Brain': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
			[memory.name]: { ai_memory: [[{ node: 'Agent Brain', type: 'ai_memory', index: 0 }]] },
		},
	};
}

const KINDS = ['simple', 'postgres', 'redis'];
const RUNTIMES: Array<[string, RuntimeSpec]> = [
	[`n8n ${DEFAULT_RUNTIME.n8nVersion}`, DEFAULT_RUNTIME],
	[`n8n ${N8N1_RUNTIME.n8nVersion}`, N8N1_RUNTIME],
];

describe.each(RUNTIMES)('Agent Brain with n8n memory nodes in %s', (_label, runtime) => {
	let n8n: N8nInstance;
	let openai: FakeOpenAI;
	let postgres: PostgresServer;
	let redis: RedisServer;

	beforeAll(async () => {
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
		postgres = await startPostgres();
		redis = await startRedis();
		n8n = await startN8n({
			runtime,
			credentials: [
				{ name: 'OpenAI-compatible', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
				{
					name: 'Postgres',
					type: 'postgres',
					data: { host: postgres.host, port: postgres.port, database: postgres.database, user: postgres.user, password: '', ssl: 'disable', allowUnauthorizedCerts: false, sshTunnel: false },
				},
				{ name: 'Redis', type: 'redis', data: { host: redis.host, port: redis.port, password: '', database: 0, ssl: false } },
			],
			workflows: KINDS.map(memoryWorkflow),
		});
	}, 600_000);

	afterAll(async () => {
		await n8n?.stop();
		await openai?.close();
		await postgres?.stop();
		await redis?.stop();
	});

	it.each(KINDS)('%s: the second turn of a session sees the first, another session does not', async (kind) => {
		const path = `memory-${kind}`;
		const sessionKey = `${kind}-${runtime.n8nVersion}`;
		openai.setScript([{ content: 'Nice to meet you, Dana.' }, (request) => ({ content: `I saw ${request.body.messages.length - 1} earlier messages.` }), { content: 'fresh' }]);
		const first = await n8n.webhook('POST', path, { task: 'My name is Dana.', session: sessionKey });
		expect(first.body.answer).toBe('Nice to meet you, Dana.');
		const second = await n8n.webhook('POST', path, { task: 'What is my name?', session: sessionKey });
		expect(second.body.answer).toBe('I saw 2 earlier messages.');
		expect(openai.requests.at(-1)?.body.messages).toEqual([
			{ role: 'user', content: 'My name is Dana.' },
			{ role: 'assistant', content: 'Nice to meet you, Dana.' },
			{ role: 'user', content: 'What is my name?' },
		]);
		await n8n.webhook('POST', path, { task: 'Who am I?', session: `${sessionKey}-other` });
		expect(openai.requests.at(-1)?.body.messages).toEqual([{ role: 'user', content: 'Who am I?' }]);
		const execution = await n8n.lastExecution(n8n.workflowIds[memoryWorkflow(kind).name]);
		// n8n records the memory node's loads and saves in the execution, as for its own AI Agent.
		expect(execution.data.resultData.runData[MEMORY_NODES[kind].name]?.length).toBeGreaterThanOrEqual(2);
		if (kind === 'postgres') {
			const rows = await query<{ session_id: string }>(postgres, 'SELECT session_id FROM n8n_chat_histories WHERE session_id = $1', [sessionKey]);
			expect(rows).toHaveLength(4);
		}
	});
});
