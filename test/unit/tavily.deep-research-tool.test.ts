// Agent Brain's built-in Deep Research (Tavily) tool: offered when turned on, it runs a Tavily research task for the model
// and hands back the report with its sources; the agent's stop signal stops the wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { deepResearchTool } from '../../nodes/AgentBrain/engine/researchTool';
import { ExecutionResources } from '../../nodes/AgentBrain/execute/resources';
import { assembleTools } from '../../nodes/AgentBrain/execute/tools';
import { TavilyClient } from '../../nodes/Tavily/engine/client';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { executeContext } from '../helpers/executeContext';

const KEY = 'tvly-deep-research-key';
let fake: FakeTavily;
let userFolder: string;

beforeEach(async () => {
	fake = await startFakeTavily({ apiKey: KEY, researchPolls: 1, researchFailure: (input) => (input.includes('fail') ? 'No sources found' : undefined) });
	userFolder = mkdtempSync(join(tmpdir(), 'n8n-user-'));
});
afterEach(async () => {
	await fake.close();
	rmSync(userFolder, { recursive: true, force: true });
});

const client = () => new TavilyClient({ apiKey: KEY, baseUrl: fake.url, retry: { sleep: async () => undefined } });

describe('Deep Research (Tavily) tool', () => {
	it('is offered after the web tools when turned on, through the Tavily credential', async () => {
		const ctx = executeContext({
			nodeType: new AgentBrain(),
			parameters: { task: 'x', builtInTools: ['deepResearch', 'webSearch'] },
			credentials: {
				openAiCompatibleAgenticApi: { apiKey: 'sk-x', baseUrl: 'http://127.0.0.1:9/v1', organization: '', extraHeaders: '{}' },
				tavilyAgenticApi: { apiKey: KEY, baseUrl: fake.url },
			},
			nodeInputs: [{ type: 'main' }],
		});
		const resources = await ExecutionResources.open(ctx);
		try {
			const tools = await assembleTools(ctx, ['deepResearch', 'webSearch'], 0, resources);
			expect(tools.map((tool) => tool.name)).toEqual(['web_search', 'deep_research']);
			expect(resources.secrets()).toContain(KEY);
		} finally {
			await resources.close();
		}
	});

	it("runs a research task for the model's question and returns the report with its sources", async () => {
		const tool = deepResearchTool(client());
		const answer = (await tool.run({ input: 'Compare heat pumps and gas boilers', model: 'pro' }, { signal: new AbortController().signal })) as { report: string; sources: unknown[] };
		expect(answer.report).toMatch(/^# Compare heat pumps and gas boilers\n\nFindings from three sources \[1\] \[2\] \[3\]/);
		expect(answer.sources).toEqual([1, 2, 3].map((n) => ({ title: `Source ${n} on Compare heat pumps and gas boilers`, url: `https://example.com/research/compare-heat-pumps-and-gas-boilers/${n}` })));
		expect(fake.requests[0].body).toEqual({ input: 'Compare heat pumps and gas boilers', model: 'pro' });
		expect(tool.parameters.required).toEqual(['input']);
	});

	it("fails with Tavily's reason, and stops when the agent stops", async () => {
		await expect(deepResearchTool(client()).run({ input: 'this will fail' }, { signal: new AbortController().signal })).rejects.toThrow(/failed: No sources found$/);
		const controller = new AbortController();
		controller.abort();
		await expect(deepResearchTool(client()).run({ input: 'anything' }, { signal: controller.signal })).rejects.toThrow(/cancelled/);
	});
});
