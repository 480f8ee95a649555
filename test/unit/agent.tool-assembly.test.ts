// The tools an item's run gets: the built-ins turned on, in a fixed order, then the connected tool sub-nodes; Tavily and the memory store opened once per execution.
import { NodeOperationError, type INodeInputConfiguration } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { ExecutionResources } from '../../nodes/AgentBrain/execute/resources';
import { assembleTools } from '../../nodes/AgentBrain/execute/tools';
import { executeContext, type Parameters } from '../helpers/executeContext';
import { useTemporaryUserFolder } from '../helpers/userFolder';

const TAVILY_KEY = 'tvly-assembly-key';
const opened: ExecutionResources[] = [];

useTemporaryUserFolder();

beforeEach(() => {
});
afterEach(async () => {
	await Promise.all(opened.splice(0).map((resources) => resources.close()));
});

/** A connected n8n tool sub-node as LangChain gives it: a name, a JSON schema and invoke(). */
const connectedTool = { name: 'crm_lookup', description: 'Finds a customer', schema: { type: 'object', properties: { email: { type: 'string' } } }, invoke: async () => 'found' };

async function setUp(parameters: Parameters, nodeInputs?: INodeInputConfiguration[]) {
	const ctx = executeContext({
		nodeType: new AgentBrain(),
		items: [{ json: {} }, { json: {} }],
		parameters: { task: 'x', ...parameters },
		credentials: {
			openAiCompatibleAgenticApi: { apiKey: 'sk-assembly', baseUrl: 'http://127.0.0.1:9/v1', organization: '', extraHeaders: '{}' },
			tavilyAgenticApi: { apiKey: TAVILY_KEY, baseUrl: 'http://127.0.0.1:9' },
		},
		nodeInputs: nodeInputs ?? [{ type: 'main' }, { type: 'ai_tool' }],
		connectionData: { ai_tool: [connectedTool] },
	});
	const getCredentials = jest.spyOn(ctx, 'getCredentials');
	const resources = await ExecutionResources.open(ctx);
	opened.push(resources);
	return { ctx, resources, getCredentials };
}

describe('Agent Brain tool assembly', () => {
	it('offers web, date and time, memory, then connected tools, whatever order they were turned on in', async () => {
		const all = ['saveMemory', 'currentDateTime', 'webExtract', 'recallMemory', 'webSearch'];
		const { ctx, resources } = await setUp({ builtInTools: all, backend: 'embedded', namespace: 'team' });
		const tools = await assembleTools(ctx, all, 0, resources);
		expect(tools.map((tool) => tool.name)).toEqual(['web_search', 'web_extract', 'current_datetime', 'recall', 'remember', 'crm_lookup']);
		expect(tools.at(-1)!.parameters).toEqual(connectedTool.schema);
	});

	it('reads the Tavily credential once for all items, and keeps its key among the secrets', async () => {
		const { ctx, resources, getCredentials } = await setUp({ builtInTools: ['webSearch'] });
		await assembleTools(ctx, ['webSearch'], 0, resources);
		await assembleTools(ctx, ['webSearch'], 1, resources);
		expect(getCredentials.mock.calls.filter(([type]) => type === 'tavilyAgenticApi')).toHaveLength(1);
		expect(resources.secrets()).toContain(TAVILY_KEY);
	});

	it('reads no Tavily credential and opens no store when no tool needs them', async () => {
		const { ctx, resources, getCredentials } = await setUp({ builtInTools: ['currentDateTime'] });
		const tools = await assembleTools(ctx, ['currentDateTime'], 0, resources);
		expect(tools.map((tool) => tool.name)).toEqual(['current_datetime', 'crm_lookup']);
		expect(getCredentials.mock.calls.map(([type]) => type)).toEqual(['openAiCompatibleAgenticApi']);
		expect(new Set(resources.secrets().filter(Boolean))).toEqual(new Set(['sk-assembly']));
	});

	it('as another agent\'s tool (no inputs), has only its built-in tools and does not ask for connected ones', async () => {
		const { ctx, resources } = await setUp({ builtInTools: ['currentDateTime'] }, []);
		const getConnected = jest.spyOn(ctx, 'getInputConnectionData');
		expect(resources.hasToolInput).toBe(false);
		expect((await assembleTools(ctx, ['currentDateTime'], 0, resources)).map((tool) => tool.name)).toEqual(['current_datetime']);
		expect(getConnected).not.toHaveBeenCalled();
	});

	it('refuses a bad memory namespace naming the parameter and the item, before opening the store', async () => {
		const { ctx, resources } = await setUp({ builtInTools: ['recallMemory'], backend: 'embedded', namespace: 'no spaces' });
		const memoryStore = jest.spyOn(resources, 'memoryStore');
		const refusal = await assembleTools(ctx, ['recallMemory'], 1, resources).then(
			() => Promise.reject(new Error('the namespace was accepted')),
			(error: NodeOperationError) => error,
		);
		expect(refusal).toBeInstanceOf(NodeOperationError);
		expect(refusal.message).toBe('The Memory Namespace "no spaces" is not a valid namespace');
		expect(refusal.context.itemIndex).toBe(1);
		expect(memoryStore).not.toHaveBeenCalled();
	});
});
