// Agent Brain's side of n8n's engine requests: connected tools come back as one request for all items, the responses (shaped as n8n-core's WorkflowExecute
// hands them back) resume each item, approvals lead to the gated tool's run, and items keep their order, Continue On Fail and session order across the exchange.
import type { EngineRequest, EngineResponse, ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import type { ActionMetadata } from '../../nodes/AgentBrain/execute/engineTools';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest, type Responder } from '../fakes/openai';
import { executeContext } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const KEY = 'sk-engine-request-key';
let fake: FakeOpenAI;

useTemporaryUserFolder();

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY });
});
afterEach(async () => {
	await fake.close();
});

const parameters = { type: 'object', properties: { plate: { type: 'string' } }, required: ['plate'] };

/** A tool as n8n 2 supplies it: its node named in its metadata. */
const lookupTool = () => ({ name: 'Lookup', description: 'Looks a plate up', schema: parameters, metadata: { sourceNodeName: 'Lookup Plate' }, invoke: async () => 'in-process' });

/** The stand-in n8n-core's createHitlToolkit supplies for a tool behind an approval node. */
const gatedTool = () => ({
	name: 'Send_Alert',
	description: 'Sends the alert',
	schema: { type: 'object', properties: { toolParameters: parameters, hitlParameters: { type: 'object', properties: {} } } },
	metadata: { sourceNodeName: 'Ask the Guard', gatedToolNodeName: 'Send Alert', originalSchema: parameters },
	invoke: async () => '',
});

interface Setup {
	tasks: string[];
	tools: unknown[];
	sessionId?: string;
	continueOnFail?: boolean;
}

type Output = INodeExecutionData[][] | EngineRequest<ActionMetadata>;

function run(setup: Setup, response?: EngineResponse): Promise<Output> {
	const ctx = executeContext({
		nodeType: new AgentBrain(),
		items: setup.tasks.map((task) => ({ json: { task } })),
		parameters: (i) => ({ task: setup.tasks[i], systemMessage: '', builtInTools: [], sessionId: setup.sessionId ?? '', options: {} }),
		credentials: { openAiCompatibleAgenticApi: { apiKey: KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } as ICredentialDataDecryptedObject },
		continueOnFail: setup.continueOnFail,
		connectionData: { ai_tool: setup.tools },
	});
	return new AgentBrain().execute.call(ctx, response) as Promise<Output>;
}

function asRequest(output: Output): EngineRequest<ActionMetadata> {
	if (Array.isArray(output)) throw new Error(`expected an engine request, got items: ${JSON.stringify(output)}`);
	return output;
}

/** What n8n-core hands back: each action with its node's task data, and the request's metadata, after a trip through the database. */
function engineResponse(request: EngineRequest<ActionMetadata>, answer: (action: EngineRequest<ActionMetadata>['actions'][number]) => IDataObject): EngineResponse {
	const stored = JSON.parse(JSON.stringify(request)) as EngineRequest<ActionMetadata>;
	return {
		actionResponses: stored.actions.map((action) => ({
			action,
			data: { startTime: 0, executionTime: 1, executionIndex: 0, source: [], data: { ai_tool: [[{ json: answer(action) }]] } },
		})),
		metadata: stored.metadata,
	} as unknown as EngineResponse;
}

const callLookup = (request: FakeRequest) => {
	const task = String(request.body.messages.at(-1).content);
	return { toolCalls: [{ id: `call_${task}`, name: request.body.tools[0].function.name, arguments: { plate: task } }] };
};
const answerWithTool = (request: FakeRequest) => ({ content: `answer: ${request.body.messages.at(-1).content}` });

/** Every model call answered by `responder`. */
const script = (responder: Responder) => fake.setScript(Array.from({ length: 20 }, () => responder));

describe('engine requests', () => {
	it('hands every item\'s calls to the engine in one request, and resumes each item with its own results, in input order', async () => {
		script((request) => (request.body.messages.at(-1).role === 'tool' ? answerWithTool(request) : callLookup(request)));
		const setup = { tasks: ['AB123', 'CD456'], tools: [lookupTool()] };
		const request = asRequest(await run(setup));
		expect(request.actions).toEqual([
			{ actionType: 'ExecutionNodeAction', nodeName: 'Lookup Plate', input: { plate: 'AB123' }, type: 'ai_tool', id: 'call_AB123', metadata: { itemIndex: 0, toolName: 'Lookup' } },
			{ actionType: 'ExecutionNodeAction', nodeName: 'Lookup Plate', input: { plate: 'CD456' }, type: 'ai_tool', id: 'call_CD456', metadata: { itemIndex: 1, toolName: 'Lookup' } },
		]);
		const output = await run(setup, engineResponse(request, (action) => ({ response: `listed ${action.input.plate}` })));
		if (!Array.isArray(output)) throw new Error('expected the items');
		expect(output[0].map((item) => [item.json.answer, item.pairedItem])).toEqual([
			['answer: listed AB123', { item: 0 }],
			['answer: listed CD456', { item: 1 }],
		]);
	});

	it('a tool node\'s failure goes back to the model, which can go on', async () => {
		script((request) => (request.body.messages.at(-1).role === 'tool' ? answerWithTool(request) : callLookup(request)));
		const setup = { tasks: ['AB123'], tools: [lookupTool()] };
		const request = asRequest(await run(setup));
		const output = (await run(setup, engineResponse(request, () => ({ error: 'Lookup service is down' })))) as INodeExecutionData[][];
		expect(output[0][0].json).toMatchObject({ answer: 'answer: Error: Lookup failed: Lookup service is down\nPlease fix your mistakes.' });
		expect((output[0][0].json.toolCalls as IDataObject[])[0]).toMatchObject({ error: 'Lookup failed: Lookup service is down' });
	});

	it('a tool behind an approval node: the model sees the tool\'s own parameters, the approval node is asked, and on approval the tool runs', async () => {
		script((request) => (request.body.messages.at(-1).role === 'tool' ? answerWithTool(request) : callLookup(request)));
		const setup = { tasks: ['AB123'], tools: [gatedTool()] };
		const asked = asRequest(await run(setup));
		expect(fake.requests[0].body.tools[0].function.parameters).toEqual(parameters);
		expect(asked.actions).toEqual([
			{
				actionType: 'ExecutionNodeAction',
				nodeName: 'Ask the Guard',
				input: { toolParameters: { plate: 'AB123' }, tool: 'Send_Alert' },
				type: 'ai_tool',
				id: 'call_AB123',
				metadata: { itemIndex: 0, toolName: 'Send_Alert', hitl: { gatedToolNodeName: 'Send Alert', toolName: 'Send_Alert', originalInput: { plate: 'AB123' } } },
			},
		]);
		const approved = asRequest(await run(setup, engineResponse(asked, () => ({ data: { approved: true } }))));
		expect(fake.requests).toHaveLength(1);
		expect(approved.actions).toEqual([
			{
				actionType: 'ExecutionNodeAction',
				nodeName: 'Send Alert',
				input: { tool: 'Send_Alert', plate: 'AB123' },
				type: 'ai_tool',
				id: 'call_AB123',
				metadata: { itemIndex: 0, toolName: 'Send_Alert', approval: 'approved', parentNodeName: 'Ask the Guard' },
			},
		]);
		const output = (await run(setup, engineResponse(approved, () => ({ response: 'alert sent' })))) as INodeExecutionData[][];
		expect(output[0][0].json.answer).toBe('answer: alert sent');
		expect((output[0][0].json.toolCalls as IDataObject[])[0]).toMatchObject({ approval: 'approved', resultSummary: 'alert sent' });
	});

	it('a declined call, with the reviewer\'s note, and an approval that never came, are told to the model; the tool never runs', async () => {
		script((request) => (request.body.messages.at(-1).role === 'tool' ? answerWithTool(request) : callLookup(request)));
		const setup = { tasks: ['AB123', 'CD456'], tools: [gatedTool()] };
		const asked = asRequest(await run(setup));
		// Item 0 declined with a note; item 1's wait ran out (n8n then passes the approval node's input through).
		const output = await run(setup, engineResponse(asked, (action) => (action.metadata.itemIndex === 0 ? { data: { approved: false }, chatInput: 'wrong car' } : { ...action.input })));
		if (!Array.isArray(output)) throw new Error('a declined call must not run the tool');
		const [declined, unanswered] = output[0].map((item) => item.json);
		expect(declined.answer).toBe('answer: The reviewer declined this call of Send_Alert, so it was not run. Their note: "wrong car". Do not call it again unchanged: change course, or give your answer without it.');
		expect((declined.toolCalls as IDataObject[])[0]).toMatchObject({ approval: 'declined' });
		expect(unanswered.answer).toMatch(/^answer: No one approved this call of Send_Alert before the wait ended, so it was not run\./);
		expect((unanswered.toolCalls as IDataObject[])[0]).toMatchObject({ approval: 'no_answer' });
	});

	it('an approval node that fails to ask (its message could not be sent) is a failed call, not a missing answer', async () => {
		script((request) => (request.body.messages.at(-1).role === 'tool' ? answerWithTool(request) : callLookup(request)));
		const setup = { tasks: ['AB123'], tools: [gatedTool()] };
		const asked = asRequest(await run(setup));
		const output = (await run(setup, engineResponse(asked, () => ({ error: 'Gmail refused the credential' })))) as INodeExecutionData[][];
		expect((output[0][0].json.toolCalls as IDataObject[])[0]).toMatchObject({ error: 'asking for approval of Send_Alert failed: Gmail refused the credential' });
		expect((output[0][0].json.toolCalls as IDataObject[])[0].approval).toBeUndefined();
	});

	it('with Continue On Fail, an item failing after its tools ran is an error item and the others are answered', async () => {
		script((request) => {
			if (request.body.messages.at(-1).role !== 'tool') return callLookup(request);
			if (String(request.body.messages.at(-1).content).includes('CD456')) return { status: 400, body: { error: { message: 'context too long', type: 'invalid_request_error' } } };
			return answerWithTool(request);
		});
		const setup = { tasks: ['AB123', 'CD456'], tools: [lookupTool()], continueOnFail: true };
		const request = asRequest(await run(setup));
		const output = (await run(setup, engineResponse(request, (action) => ({ response: `listed ${action.input.plate}` })))) as INodeExecutionData[][];
		expect(output[0][0].json.answer).toBe('answer: listed AB123');
		expect(output[0][1].json.error).toMatch(/context too long/);
		expect(output[0][1].pairedItem).toEqual({ item: 1 });
	});

	it('the next item of a session waits until the paused one has finished, and then sees its turn', async () => {
		script((request) => (request.body.messages.at(-1).role === 'tool' ? answerWithTool(request) : callLookup(request)));
		const setup = { tasks: ['AB123', 'CD456'], tools: [lookupTool()], sessionId: 'gate-1' };
		const first = asRequest(await run(setup));
		expect(first.actions.map((action) => action.metadata.itemIndex)).toEqual([0]);
		const second = asRequest(await run(setup, engineResponse(first, () => ({ response: 'listed' }))));
		expect(second.actions.map((action) => action.metadata.itemIndex)).toEqual([1]);
		// Item 1's first model call saw item 0's whole turn: the task, the tool round and the answer.
		const seen = fake.requests[2].body.messages.map((m: { role: string; content: string | null }) => `${m.role}:${m.content ?? ''}`);
		expect(seen).toEqual(['user:AB123', 'assistant:', 'tool:listed', 'assistant:answer: listed', 'user:CD456']);
		const output = (await run(setup, engineResponse(second, () => ({ response: 'listed too' })))) as INodeExecutionData[][];
		expect(output[0].map((item) => item.json.answer)).toEqual(['answer: listed', 'answer: listed too']);
	});
});
