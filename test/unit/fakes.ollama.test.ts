// The Ollama fake answers in the shapes of Ollama's API reference, so the tests that rely on it talk to something faithful.
import { startFakeOllama, type FakeOllama } from '../fakes/ollama';

describe('fake Ollama server', () => {
	let fake: FakeOllama;
	beforeEach(async () => {
		fake = await startFakeOllama({ models: { 'nomic-embed-text:latest': 12 } });
	});
	afterEach(() => fake.close());

	const embed = (body: unknown) => fetch(`${fake.url}/api/embed`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: async (): Promise<any> => r.json() }));

	it('embeds a string or a list into unit vectors of the model size, the same text always the same vector', async () => {
		const one = await (await embed({ model: 'nomic-embed-text', input: 'hello' })).json();
		expect(one).toMatchObject({ model: 'nomic-embed-text', prompt_eval_count: expect.any(Number), total_duration: expect.any(Number) });
		expect(one.embeddings).toHaveLength(1);
		expect(one.embeddings[0]).toHaveLength(12);
		expect(Math.hypot(...one.embeddings[0])).toBeCloseTo(1, 6);
		const many = await (await embed({ model: 'nomic-embed-text:latest', input: ['hello', 'world'], dimensions: 4 })).json();
		expect(many.embeddings.map((v: number[]) => v.length)).toEqual([4, 4]);
		const again = await (await embed({ model: 'nomic-embed-text', input: ['hello'] })).json();
		expect(again.embeddings[0]).toEqual(one.embeddings[0]);
		expect(fake.embedRequests.map((r) => r.input)).toEqual([['hello'], ['hello', 'world'], ['hello']]);
	});

	it('answers an unknown model with 404 and Ollama error body, and lists the pulled models', async () => {
		const missing = await embed({ model: 'llama9', input: 'x' });
		expect(missing.status).toBe(404);
		expect(await missing.json()).toEqual({ error: 'model "llama9" not found, try pulling it first' });
		const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
		expect(tags.models.map((m) => m.name)).toEqual(['nomic-embed-text:latest']);
	});
});
