// Tavily Research in the engine, against the fake Tavily server: a task is created, polled until done and its report
// returned with sources; options go out as Tavily names them; failures, retries, the wait limit and cancel.
import { AgenticError } from '../../nodes/shared/errors';
import { TavilyClient } from '../../nodes/Tavily/engine/client';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';

const KEY = 'tvly-research-secret-789';
let fake: FakeTavily;
let waits: number[];

const client = () => new TavilyClient({ apiKey: KEY, baseUrl: fake.url, retry: { retries: 2, baseDelayMs: 10, sleep: async (ms) => void waits.push(ms) } });
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as AgenticError);

beforeEach(async () => {
	waits = [];
	fake = await startFakeTavily({ apiKey: KEY, researchPolls: 2, researchFailure: (input) => (input.includes('forbidden') ? 'The research could not find sources it may use' : undefined) });
});
afterEach(() => fake.close());

describe('Tavily research', () => {
	it('creates a task, polls its status until it completes, and returns the report with its sources', async () => {
		const report = await client().research({ input: 'heat pumps versus gas boilers', model: 'mini', citationFormat: 'apa' }, { pollIntervalMs: 1500 });
		expect(report.status).toBe('completed');
		expect(report.content).toMatch(/^# heat pumps versus gas boilers\n\nFindings from three sources \(APA: Source 1\)/);
		expect(report.sources).toHaveLength(3);
		expect(report.sources[0]).toEqual({ title: 'Source 1 on heat pumps versus gas boilers', url: 'https://example.com/research/heat-pumps-versus-gas-boilers/1', favicon: 'https://example.com/favicon.ico' });
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			'POST /research',
			`GET /research/${report.request_id}`,
			`GET /research/${report.request_id}`,
			`GET /research/${report.request_id}`,
		]);
		expect(fake.requests[0].body).toEqual({ input: 'heat pumps versus gas boilers', model: 'mini', citation_format: 'apa' });
		expect(fake.requests[1].headers.authorization).toBe(`Bearer ${KEY}`);
		// Two "in progress" answers, a wait after each.
		expect(waits).toEqual([1500, 1500]);
	});

	it('sends an output schema and returns the report as an object of it', async () => {
		const schema = { type: 'object', properties: { summary: { type: 'string' }, verdict: { type: 'string' } } };
		const report = await client().research({ input: 'solar panels', outputSchema: schema });
		expect(fake.requests[0].body.output_schema).toEqual(schema);
		expect(report.content).toEqual({ summary: 'summary of solar panels', verdict: 'verdict of solar panels' });
	});

	it("says a failed task failed, with Tavily's reason", async () => {
		const error = await failure(client().research({ input: 'a forbidden topic' }));
		expect(error).toBeInstanceOf(AgenticError);
		expect(error?.message).toMatch(/^Tavily's research task 123e4567-\S+ failed: The research could not find sources it may use$/);
	});

	it('checks the input, model, citation format and schema before any request', async () => {
		expect((await failure(client().research({ input: '  ' })))?.field).toBe('input');
		expect((await failure(client().research({ input: 'x', model: 'max' as never })))?.message).toBe('model must be one of mini, pro, auto (got "max")');
		expect((await failure(client().research({ input: 'x', citationFormat: 'harvard' as never })))?.field).toBe('citationFormat');
		expect((await failure(client().research({ input: 'x', outputSchema: [] as never })))?.field).toBe('outputSchema');
		expect(fake.requests).toHaveLength(0);
	});

	it('retries a request Tavily answers 503, and names the credential when the key is refused', async () => {
		fake.failNext(1, 503);
		expect((await client().research({ input: 'retries' })).status).toBe('completed');
		expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'GET', 'GET']);
		const refused = await failure(new TavilyClient({ apiKey: 'tvly-wrong', baseUrl: fake.url }).research({ input: 'x' }));
		expect(refused?.kind).toBe('auth');
		expect(refused?.description).toMatch(/Tavily \(Agentic\) API/);
		expect(refused?.message).not.toContain('tvly-wrong');
	});

	it('gives up after Max Wait, and stops at once when the execution is cancelled', async () => {
		const late = await failure(client().research({ input: 'slow' }, { pollIntervalMs: 1000, maxWaitMs: 1500 }));
		expect(late?.message).toMatch(/was still in_progress after 2 s/);
		expect(late?.field).toBe('maxWaitSeconds');

		const controller = new AbortController();
		const real = new TavilyClient({ apiKey: KEY, baseUrl: fake.url });
		const started = Date.now();
		setTimeout(() => controller.abort(), 100);
		const stopped = await failure(real.research({ input: 'cancel me' }, { pollIntervalMs: 60_000, signal: controller.signal }));
		expect(stopped?.kind).toBe('cancelled');
		expect(Date.now() - started).toBeLessThan(5_000);
	});
});
