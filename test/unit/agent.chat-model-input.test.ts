// The Chat Model input: Agent Brain with a connected chat model sub-node instead of its credential, and the errors that name what to fix.
import { NodeApiError, NodeOperationError, type ICredentialDataDecryptedObject, type INodeExecutionData } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { ConnectedChatModel, connectedModelError, parseLangChainReply } from '../../nodes/AgentBrain/engine/connectedModel';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { executeContext } from '../helpers/executeContext';
import { langChainChatModel } from '../helpers/langChainChatModel';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const KEY = 'sk-test-key';
const MODEL_NODE = 'Claude';
let fake: FakeOpenAI;

useTemporaryUserFolder();

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY });
});
afterEach(async () => {
	await fake.close();
});

interface Setup {
	chatModel?: unknown;
	credential?: boolean;
	builtInTools?: string[];
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
}

function execute(setup: Setup) {
	const items = setup.items ?? [{ json: { task: 'What is the capital of France?' } }];
	const connected = setup.chatModel !== undefined;
	const ctx = executeContext({
		nodeType: new AgentBrain(),
		items,
		parameters: (i) => ({ task: items[i].json.task, systemMessage: 'Be brief.', builtInTools: setup.builtInTools ?? [] }),
		credentials: setup.credential
			? { openAiCompatibleAgenticApi: { apiKey: KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } as ICredentialDataDecryptedObject }
			: undefined,
		continueOnFail: setup.continueOnFail,
		connectionData: connected ? { ai_languageModel: setup.chatModel, ai_tool: [] } : { ai_tool: [] },
		subNodes: connected ? { ai_languageModel: [MODEL_NODE] } : {},
	});
	return new AgentBrain().execute.call(ctx);
}

describe('Agent Brain with a connected chat model', () => {
	it('runs the loop through the connected model, with no OpenAI-compatible credential, tools bound as OpenAI-format definitions', async () => {
		fake.setScript([{ toolCalls: [{ id: 't1', name: 'current_datetime', arguments: {} }] }, { content: 'It is Paris.' }]);
		const model = langChainChatModel({ baseUrl: fake.url, apiKey: KEY });
		const [[item]] = (await execute({ chatModel: model, builtInTools: ['currentDateTime'] })) as INodeExecutionData[][];
		expect(item.json).toMatchObject({ answer: 'It is Paris.', stopReason: 'completed', iterations: 2 });
		expect((item.json.toolCalls as Array<{ name: string }>)[0].name).toBe('current_datetime');
		expect(model.boundTools[0]).toEqual([expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'current_datetime' }) })]);
		expect(fake.requests[1].body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
		expect((item.json.usage as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
	});

	it('prefers the connected model over the credential when both are there', async () => {
		const model = langChainChatModel({ baseUrl: fake.url, apiKey: KEY, model: 'from-the-sub-node' });
		await execute({ chatModel: model, credential: true });
		expect(fake.requests.map((r) => r.body.model)).toEqual(['from-the-sub-node']);
	});

	it('names both the Chat Model input and the credential when neither is there', async () => {
		const error = await execute({}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/connect a chat model to its Chat Model input, or set the "OpenAI-Compatible API" credential/);
		expect(fake.requests).toHaveLength(0);
	});

	it('refuses a sub-node that is not a chat model, naming the input and the node', async () => {
		const textCompletion = { lc_namespace: ['langchain', 'llms', 'openai'], invoke: async () => 'text' };
		const error = await execute({ chatModel: textCompletion }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(`The node on the Chat Model input ("${MODEL_NODE}") is not a chat model`);
	});

	it('refuses a chat model without tool calling when tools are on, naming the model node, before any call', async () => {
		const model = langChainChatModel({ baseUrl: fake.url, apiKey: KEY, withoutTools: true });
		const error = await execute({ chatModel: model, builtInTools: ['currentDateTime'] }).catch((e) => e);
		expect(error.message).toBe(`The chat model "${MODEL_NODE}" cannot call tools`);
		expect(fake.requests).toHaveLength(0);
		// Without tools it is fine.
		const [[item]] = (await execute({ chatModel: model })) as INodeExecutionData[][];
		expect(item.json.stopReason).toBe('completed');
	});

	it('names the sub-node and its credential when the model refuses the key, and goes on under Continue On Fail', async () => {
		const refusing = {
			lc_namespace: ['langchain', 'chat_models', 'anthropic'],
			bindTools: () => refusing,
			invoke: async () => {
				// What n8n's failed-attempt handler throws: a NodeApiError on the sub-node, which carries its credential.
				const node = { id: 'n', name: MODEL_NODE, type: '@n8n/n8n-nodes-langchain.lmChatAnthropic', typeVersion: 1.3, position: [0, 0] as [number, number], parameters: {} };
				throw new NodeApiError({ ...node, credentials: { anthropicApi: { id: '1', name: 'My Anthropic' } } }, { message: 'invalid x-api-key', status: 401 } as never, { httpCode: '401' });
			},
		};
		const items = [{ json: { task: 'one' } }, { json: { task: 'two' } }];
		const output = (await execute({ chatModel: refusing, items, continueOnFail: true })) as INodeExecutionData[][];
		expect(output[0]).toHaveLength(2);
		expect(output[0][0].json.error).toMatch(/^The chat model "Claude" refused its credential \(HTTP 401\)/);
		expect(output[0][0].json.errorDescription).toBe('Check the API key in the "My Anthropic" credential of the "Claude" node.');
		expect(output[0][1].pairedItem).toEqual({ item: 1 });
	});
});

describe('reading a LangChain reply', () => {
	it('reads text from content blocks, tool calls with and without valid arguments, and usage from either place', () => {
		const reply = parseLangChainReply(
			{
				content: [{ type: 'text', text: 'Let me look. ' }, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }],
				tool_calls: [{ id: 'toolu_1', name: 'lookup', args: { q: 'x' } }],
				invalid_tool_calls: [{ name: 'lookup', args: '{"q": ' }],
				response_metadata: { usage: { input_tokens: 12, output_tokens: 5 } },
			},
			MODEL_NODE,
		);
		expect(reply.message.content).toBe('Let me look. ');
		expect(reply.message.tool_calls).toEqual([
			{ id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
			{ id: expect.stringMatching(/^call_[0-9a-f]{12}_1$/), type: 'function', function: { name: 'lookup', arguments: '{"q": ' } },
		]);
		expect(reply.usage).toEqual({ promptTokens: 12, completionTokens: 5, totalTokens: 17 });
		expect(parseLangChainReply({ content: 'hi', usage_metadata: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } }, MODEL_NODE).usage.totalTokens).toBe(5);
	});

	it('turns a 429 that outlived the model\'s retries into a rate-limit error naming the node', () => {
		const error = connectedModelError(Object.assign(new Error('429 Too many requests'), { status: 429 }), MODEL_NODE);
		expect(error).toMatchObject({ kind: 'rate_limited', httpStatus: 429, message: expect.stringMatching(/^The chat model "Claude" is still rate limited/) });
	});

	it('sends no broken arguments back: LangChain would fail parsing them', async () => {
		fake.setScript([{ content: 'fine' }]);
		const model = new ConnectedChatModel(langChainChatModel({ baseUrl: fake.url, apiKey: KEY }), MODEL_NODE);
		const messages = [
			{ role: 'user' as const, content: 'q' },
			{ role: 'assistant' as const, content: null, tool_calls: [{ id: 'a', type: 'function' as const, function: { name: 'lookup', arguments: '{"q": ' } }] },
			{ role: 'tool' as const, tool_call_id: 'a', content: 'Error: the arguments are not valid JSON' },
		];
		const reply = await model.complete({ messages });
		expect(reply.message.content).toBe('fine');
		expect(fake.requests[0].body.messages[1]).toEqual({ role: 'assistant', content: '', tool_calls: [{ id: 'a', type: 'function', function: { name: 'lookup', arguments: '{}' } }] });
	});
});
