// The Agent Brain node as n8n runs it, through the shared stand-in for n8n's execute context, against the OpenAI and Tavily fakes.
import { NodeApiError, NodeOperationError, type ICredentialDataDecryptedObject, type INodeExecutionData } from 'n8n-workflow';
import { z } from 'zod';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { OpenAiCompatibleAgenticApi } from '../../credentials/OpenAiCompatibleAgenticApi.credentials';
import { openAiCompatibleEndpoint, openAiConnection } from '../../nodes/shared/openAiCompatible';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { executeContext } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const OPENAI_KEY = 'sk-test-key';
const TAVILY_KEY = 'tvly-test-key';

interface Setup {
	items?: INodeExecutionData[];
	params?: Record<string, unknown> | ((i: number) => Record<string, unknown>);
	openai?: Record<string, unknown>;
	tavily?: Record<string, unknown>;
	tools?: unknown[];
	continueOnFail?: boolean;
	/** Run as another agent's tool: n8n then gives the node no inputs at all. */
	asTool?: boolean;
}

let fake: FakeOpenAI;
let tavily: FakeTavily;

useTemporaryUserFolder();

beforeEach(async () => {
	fake = await startFakeOpenAI();
	tavily = await startFakeTavily();
});
afterEach(async () => {
	await fake.close();
	await tavily.close();
});

/** The node with its parameters, credentials and connected tools; the task comes from each item, as `{{ $json.task }}` would. */
function context(setup: Setup) {
	const items = setup.items ?? [{ json: { task: 'What is the capital of France?' } }];
	const defaults: Record<string, unknown> = { systemMessage: 'Be brief.', builtInTools: [] };
	return executeContext({
		nodeType: new AgentBrain(),
		items,
		parameters: (i) => ({ ...defaults, task: items[i].json.task, ...(typeof setup.params === 'function' ? setup.params(i) : setup.params) }),
		credentials: {
			openAiCompatibleAgenticApi: { apiKey: OPENAI_KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}', ...setup.openai } as ICredentialDataDecryptedObject,
			tavilyAgenticApi: { apiKey: TAVILY_KEY, baseUrl: tavily.url, ...setup.tavily } as ICredentialDataDecryptedObject,
		},
		continueOnFail: setup.continueOnFail,
		// Used as another agent's tool, n8n gives the node no inputs at all.
		nodeInputs: setup.asTool ? [] : [{ type: 'main' }, { type: 'ai_tool' }],
		connectionData: { ai_tool: setup.tools ?? [] },
	});
}

const execute = (setup: Setup) => new AgentBrain().execute.call(context(setup)) as Promise<INodeExecutionData[][]>;

describe('Agent Brain node', () => {
	it('answers each item with stop reason, tool calls, usage, citations and a trace without the API key', async () => {
		fake.setScript([{ toolCalls: [{ name: 'current_datetime', arguments: { timezone: 'Asia/Jerusalem' } }] }, { content: 'It is Saturday.' }]);
		const [out] = await execute({ params: { builtInTools: ['currentDateTime'], options: { traceMarkdown: true } } });
		expect(out).toHaveLength(1);
		const json = out[0].json;
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(json).toMatchObject({ answer: 'It is Saturday.', stopReason: 'completed', iterations: 2, citations: [] });
		expect(json.toolCalls).toEqual([expect.objectContaining({ name: 'current_datetime', arguments: { timezone: 'Asia/Jerusalem' } })]);
		expect((json.toolCalls as Array<{ resultSummary: string }>)[0].resultSummary).toMatch(/"timezone":"Asia\/Jerusalem"/);
		expect((json.usage as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
		expect(json.traceMarkdown).toMatch(/# Agent trace/);
		expect(JSON.stringify(json)).not.toContain(OPENAI_KEY);
		expect(fake.requests[0].headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		expect(fake.requests[0].body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
	});

	it('searches the web through Tavily and keeps only citations Tavily returned', async () => {
		fake.setScript([
			{ toolCalls: [{ name: 'web_search', arguments: { query: 'n8n agent' } }] },
			(request) => {
				const observation = JSON.parse(request.body.messages.at(-1).content);
				return { content: `Source: ${observation.results[0].url} and https://invented.example/x` };
			},
		]);
		const [out] = await execute({ params: { builtInTools: ['webSearch'], options: { requireCitations: true } } });
		const json = out[0].json as { citations: string[]; unverifiedCitations: string[]; trace: unknown };
		expect(tavily.requests.map((r) => [r.path, r.body.query])).toEqual([['/search', 'n8n agent']]);
		expect(json.citations).toHaveLength(1);
		expect(json.citations[0]).toMatch(/^https:\/\/.+\/search\//);
		expect(json.unverifiedCitations).toEqual(['https://invented.example/x']);
		expect(JSON.stringify(json)).not.toContain(TAVILY_KEY);
	});

	it('stops with an error naming the Tavily credential when Tavily refuses its key, instead of asking the model to fix it', async () => {
		fake.setScript([{ toolCalls: [{ name: 'web_search', arguments: { query: 'n8n agent' } }] }, { content: 'should not be asked' }]);
		const before = fake.requests.length;
		const error = await execute({ params: { builtInTools: ['webSearch'] }, tavily: { apiKey: 'tvly-wrong-key-123' } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/Tavily refused the API key \(HTTP 401\)/);
		expect(error.description).toMatch(/"Tavily \(Agentic\) API" credential/);
		expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain('tvly-wrong-key-123');
		expect(fake.requests.length - before).toBe(1);
	});

	it('calls a connected n8n tool sub-node (a zod StructuredTool) and uses its result', async () => {
		const invoked: unknown[] = [];
		const codeTool = {
			name: 'multiply',
			description: 'Multiplies two numbers',
			schema: z.object({ a: z.number(), b: z.number() }),
			invoke: async (args: { a: number; b: number }) => {
				invoked.push(args);
				return JSON.stringify([{ product: args.a * args.b }]);
			},
		};
		fake.setScript([{ toolCalls: [{ name: 'multiply', arguments: { a: 6, b: 7 } }] }, (request) => ({ content: `Result: ${request.body.messages.at(-1).content}` })]);
		const [out] = await execute({ tools: [{ getTools: () => [codeTool] }] });
		expect(invoked).toEqual([{ a: 6, b: 7 }]);
		expect(out[0].json.answer).toBe('Result: [{"product":42}]');
		expect(fake.requests[0].body.tools).toEqual([
			{ type: 'function', function: { name: 'multiply', description: 'Multiplies two numbers', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } } },
		]);
	});

	it('runs as another agent\'s tool, where it has no tool input, with its built-in tools', async () => {
		fake.setScript([{ content: 'sub-agent answer' }]);
		const [out] = await execute({ asTool: true, params: { builtInTools: ['currentDateTime'] } });
		expect(out[0].json.answer).toBe('sub-agent answer');
		expect(fake.requests[0].body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['current_datetime']);
		expect(out[0].json.trace).toBeUndefined();
	});

	it('remembers a session across executions and node instances, in the n8n user folder', async () => {
		const params = { sessionId: 'chat-7', options: { memoryTurns: 5 } };
		fake.setScript([{ content: 'Hello Dana!' }, { content: 'Your name is Dana.' }]);
		await execute({ items: [{ json: { task: 'My name is Dana.' } }], params });
		await execute({ items: [{ json: { task: 'What is my name?' } }], params });
		expect(fake.requests[1].body.messages.map((m: { role: string; content: string }) => `${m.role}: ${m.content}`)).toEqual([
			'system: Be brief.',
			'user: My name is Dana.',
			'assistant: Hello Dana!',
			'user: What is my name?',
		]);
		const other = await execute({ items: [{ json: { task: 'Who am I?' } }], params: { sessionId: 'another' } });
		expect(fake.requests[2].body.messages).toHaveLength(2);
		expect(other[0][0].json.sessionId).toBe('another');
	});

	it('with Continue On Fail, gives a refused item an error and goes on with the others', async () => {
		const items = [{ json: { task: '' } }, { json: { task: 'שלום, מה שלומך?' } }];
		fake.setScript([{ content: 'אני בסדר, תודה!' }]);
		const [out] = await execute({ items, continueOnFail: true });
		expect(out[0].json.error).toBe('The task is empty');
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[1].json.answer).toBe('אני בסדר, תודה!');
		expect(out[1].pairedItem).toEqual({ item: 1 });
	});

	it('names the credential when the server refuses the key', async () => {
		const error = await execute({ openai: { apiKey: 'sk-wrong-key-000' } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.description).toMatch(/"OpenAI-Compatible API" credential/);
		expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain('sk-wrong-key-000');
	});

	it('refuses an output schema that is not JSON, naming the option', async () => {
		const error = await execute({ params: { options: { outputSchema: '{not json' } } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/^Output JSON Schema is not valid JSON/);
	});

	it('refuses an output schema whose $ref leads back to itself, naming the option, before any model call', async () => {
		const before = fake.requests.length;
		const error = await execute({ params: { options: { outputSchema: '{"allOf":[{"$ref":"#"}]}' } } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/^Output JSON Schema cannot be satisfied: \(root\): the schema refers to itself/);
		expect(error.description).toMatch(/\$ref/);
		expect(fake.requests.length).toBe(before);
	});

	it('returns structured data parsed from the answer', async () => {
		fake.setScript([{ content: '{"city":"Paris","country":"France"}' }]);
		const schema = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
		const [out] = await execute({ params: { options: { outputSchema: schema } } });
		expect(out[0].json.data).toEqual({ city: 'Paris', country: 'France' });
	});

	it('sends extra headers and the organization from the credential, and rejects headers that are not a JSON object', async () => {
		await execute({ openai: { organization: 'org-9', extraHeaders: '{"X-Title":"Agent"}' } });
		expect(fake.requests[0].headers['openai-organization']).toBe('org-9');
		expect(fake.requests[0].headers['x-title']).toBe('Agent');
		await expect(execute({ openai: { extraHeaders: '[1,2]' } })).rejects.toThrow(/extra headers in the "OpenAI-Compatible API" credential/);
	});

	it('hides extra header values that are credentials but not the app name or site an answer may mention', async () => {
		const headers = { 'HTTP-Referer': 'https://acme.example', 'X-Title': 'Acme', 'X-Gateway-Key': 'gw-7f3a9c2e41d8b6f0', 'X-Route': 'eu1' };
		fake.setScript([{ content: 'Acme helps at https://acme.example/help (not gw-7f3a9c2e41d8b6f0, not eu1).' }]);
		const [out] = await execute({ openai: { extraHeaders: JSON.stringify(headers) } });
		expect(out[0].json.answer).toBe('Acme helps at https://acme.example/help (not [redacted], not eu1).');
		expect(JSON.stringify(out[0].json.trace)).not.toContain('gw-7f3a9c2e41d8b6f0');
	});
});

describe('OpenAI-Compatible API credential', () => {
	it('is tested by listing models, sending the key, organization and extra headers', async () => {
		const credential = new OpenAiCompatibleAgenticApi();
		expect(credential.test.request).toMatchObject({ url: '/models', method: 'GET' });
		const options = await credential.authenticate(
			{ apiKey: OPENAI_KEY, organization: 'org-1', extraHeaders: '{"X-A":"1"}', baseUrl: fake.url },
			{ url: `${fake.url}/models` },
		);
		const response = await fetch(options.url, { headers: options.headers as Record<string, string> });
		expect(response.status).toBe(200);
		expect(options.headers).toEqual({ Authorization: `Bearer ${OPENAI_KEY}`, 'OpenAI-Organization': 'org-1', 'X-A': '1' });
	});

	it('sends the same headers as every run, so a user Authorization header is dropped by both', async () => {
		const credentials = { apiKey: ` ${OPENAI_KEY}\n`, extraHeaders: '{"authorization":"Bearer other","X-A":"1"}', baseUrl: fake.url };
		const tested = await new OpenAiCompatibleAgenticApi().authenticate(credentials, { url: `${fake.url}/models` });
		const run = openAiCompatibleEndpoint(openAiConnection(credentials));
		const { 'content-type': _type, accept: _accept, ...runAuth } = run.headers;
		expect(tested.headers).toEqual(runAuth);
		expect(runAuth).toEqual({ Authorization: `Bearer ${OPENAI_KEY}`, 'X-A': '1' });
	});

	it('refuses extra headers that are not a JSON object, naming the credential, in the test and in a run', async () => {
		const credentials = { apiKey: OPENAI_KEY, extraHeaders: '["X-A"]' };
		expect(() => openAiConnection(credentials)).toThrow('The extra headers in the "OpenAI-Compatible API" credential are not a JSON object');
		await expect(new OpenAiCompatibleAgenticApi().authenticate(credentials, { url: '/models' })).rejects.toThrow('not a JSON object');
	});
});
