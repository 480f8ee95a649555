// Streaming in real n8n 2.41.1: a Webhook in streaming response mode gets Agent Brain's answer as the model writes it, the
// first words before the model has sent its last (a fake that drips a word every 100 ms), through the credential's server
// and through a connected OpenAI Chat Model; the node's output is the whole answer as without streaming.
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { streamWebhook } from './streaming';

const OPENAI_KEY = 'sk-e2e-streaming-key';
const ANSWER = 'Streaming answers arrive word by word while the model is still writing them.';

function streamingWorkflow(path: string, withChatModel: boolean): WorkflowSpec {
	const agent = {
		name: 'Agent Brain',
		type: 'n8n-nodes-agentic.agentBrain',
		typeVersion: 1,
		position: [300, 0],
		parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: [], systemMessage: '' },
		...(withChatModel ? {} : { credentials: { openAiCompatibleAgenticApi: { name: 'OpenAI-compatible' } } }),
	};
	const chatModel = {
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.2,
		position: [300, 200],
		parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list' }, options: {} },
		credentials: { openAiApi: { name: 'OpenAI' } },
	};
	return {
		name: `Agent Brain streaming, ${path}`,
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: `agent-${path}`, parameters: { httpMethod: 'POST', path, responseMode: 'streaming', options: {} } },
			agent,
			...(withChatModel ? [chatModel] : []),
		],
		connections: {
			Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
			...(withChatModel ? { 'OpenAI Chat Model': { ai_languageModel: [[{ node: 'Agent Brain', type: 'ai_languageModel', index: 0 }]] } } : {}),
		},
	};
}

const WORKFLOWS = { credential: streamingWorkflow('stream-credential', false), chatModel: streamingWorkflow('stream-chat-model', true) };

let n8n: N8nInstance;
let openai: FakeOpenAI;

beforeAll(async () => {
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	n8n = await startN8n({
		credentials: [
			{ name: 'OpenAI-compatible', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'OpenAI', type: 'openAiApi', data: { apiKey: OPENAI_KEY, url: openai.url, header: false } },
		],
		workflows: Object.values(WORKFLOWS),
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await openai?.close();
});

describe.each(Object.entries(WORKFLOWS))('Agent Brain streaming to a webhook (%s)', (_kind, spec) => {
	it('sends the first words before the model has written its last, and the whole answer as the node output', async () => {
		openai.setScript([{ content: ANSWER, streamDelayMs: 100 }]);
		const path = (spec.nodes[0].parameters as { path: string }).path;
		const { chunks } = await streamWebhook(`${n8n.url}/webhook/${path}`, { task: 'Tell me about streaming.' });
		const request = openai.requests.at(-1)!;
		expect(request.body.stream).toBe(true);
		const items = chunks.filter((chunk) => chunk.type === 'item');
		expect(items.map((chunk) => chunk.content).join('')).toBe(ANSWER);
		expect(chunks[0].type).toBe('begin');
		// Thirteen words 100 ms apart: the first reached the client well before the model's last word was sent.
		expect(request.lastTokenAt! - items[0].at).toBeGreaterThan(500);
		const execution = await n8n.lastExecution(n8n.workflowIds[spec.name]);
		expect(nodeOutput(execution, 'Agent Brain')[0]).toMatchObject({ answer: ANSWER, stopReason: 'completed' });
	});
});
