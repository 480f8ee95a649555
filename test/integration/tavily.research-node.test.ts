// The Tavily node's Research operation in the shared stand-in for n8n's execute context, whose HTTP helper calls the
// fake Tavily server: one item with the report and its sources, Tavily's reason for a failed task, and execution cancel.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { Tavily } from '../../nodes/Tavily/Tavily.node';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { executeContext } from '../helpers/executeContext';

const KEY = 'tvly-research-node-key';
let fake: FakeTavily;

afterEach(() => fake.close());

async function execute(params: Array<Record<string, unknown>>, options: { continueOnFail?: boolean; cancelSignal?: AbortSignal; polls?: number } = {}) {
	fake = await startFakeTavily({ apiKey: KEY, researchPolls: options.polls ?? 0, researchFailure: (input) => (input.includes('fail') ? 'Research timed out on Tavily\'s side' : undefined) });
	const context = executeContext({
		nodeType: new Tavily(),
		items: params.map((_, i) => ({ json: { i } })),
		parameters: (itemIndex) => params[itemIndex],
		credentials: { tavilyAgenticApi: { apiKey: KEY, baseUrl: fake.url } as ICredentialDataDecryptedObject },
		continueOnFail: options.continueOnFail,
		cancelSignal: options.cancelSignal,
	});
	const [items] = await new Tavily().execute.call(context);
	return items;
}

describe('Tavily node Research', () => {
	it('returns one item per research task: the report, its sources and the request id', async () => {
		const items = await execute([{ operation: 'research', input: 'electric bikes', options: { model: 'pro', citationFormat: 'mla', outputSchema: '' } }]);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ status: 'completed', request_id: expect.stringMatching(/^123e4567-/), content: expect.stringContaining('(MLA: Source 2)') });
		expect(items[0].json.sources).toHaveLength(3);
		expect(fake.requests[0].body).toEqual({ input: 'electric bikes', model: 'pro', citation_format: 'mla' });
	});

	it("keeps going under Continue On Fail: a failed task's item says it failed with Tavily's reason; a bad schema names the option", async () => {
		const items = await execute(
			[
				{ operation: 'research', input: 'this will fail', options: {} },
				{ operation: 'research', input: 'fine', options: { outputSchema: '{not json' } },
				{ operation: 'research', input: 'fine', options: { outputSchema: '{"type":"object","properties":{"answer":{"type":"string"}}}' } },
			],
			{ continueOnFail: true },
		);
		expect(items[0].json.error).toMatch(/^Tavily's research task \S+ failed: Research timed out on Tavily's side$/);
		expect(items[1].json.error).toBe('Output Schema is not valid JSON');
		expect(items[2].json.content).toEqual({ answer: 'answer of fine' });
		expect(JSON.stringify(items)).not.toContain(KEY);
	});

	it('stops waiting for the report when the execution is cancelled', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 200);
		const started = Date.now();
		const error = await execute([{ operation: 'research', input: 'a long one', options: {} }], { cancelSignal: controller.signal, polls: 100 }).catch((e) => e);
		expect(error.message).toMatch(/cancel/i);
		expect(Date.now() - started).toBeLessThan(4_000);
	});
});
