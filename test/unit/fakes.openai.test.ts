// The scripted OpenAI fake answers in OpenAI's shapes, so every test that relies on it talks to something faithful.
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';

const auth = { authorization: 'Bearer sk-test-key', 'content-type': 'application/json' };

describe('fake OpenAI server', () => {
	let fake: FakeOpenAI;
	beforeEach(async () => {
		fake = await startFakeOpenAI();
	});
	afterEach(() => fake.close());

	it('serves scripted tool calls then content, and records the requests', async () => {
		fake.setScript([{ toolCalls: [{ name: 'search', arguments: { q: 'x' } }] }, { content: 'done' }]);
		const post = (body: unknown) =>
			fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
		const first = await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
		expect(first.object).toBe('chat.completion');
		expect(first.choices[0].finish_reason).toBe('tool_calls');
		expect(first.choices[0].message.tool_calls[0].function).toEqual({ name: 'search', arguments: '{"q":"x"}' });
		const second = await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
		expect(second.choices[0].message.content).toBe('done');
		const third = await post({ model: 'm', messages: [{ role: 'user', content: 'שלום עולם' }] });
		expect(third.choices[0].message.content).toBe('שלום עולם');
		expect(fake.requests).toHaveLength(3);
		expect(fake.requests[0].body.messages[0].content).toBe('hi');
	});

	it('streams content and tool-call deltas as SSE with a final usage chunk', async () => {
		fake.setScript([{ content: 'שלום 👋', toolCalls: [{ id: 'c1', name: 'now', arguments: { tz: 'UTC' } }] }]);
		const res = await fetch(`${fake.url}/chat/completions`, {
			method: 'POST',
			headers: auth,
			body: JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'q' }] }),
		});
		const text = await res.text();
		const events = text
			.split('\n\n')
			.filter((l) => l.startsWith('data: '))
			.map((l) => l.slice(6));
		expect(events.at(-1)).toBe('[DONE]');
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
		const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
		expect(content).toBe('שלום 👋');
		const args = chunks.map((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
		expect(JSON.parse(args)).toEqual({ tz: 'UTC' });
		expect(chunks.at(-1).usage.total_tokens).toBeGreaterThan(0);
	});

	it('refuses a wrong key with 401 in OpenAI error shape, and lists models with the right one', async () => {
		const bad = await fetch(`${fake.url}/models`, { headers: { authorization: 'Bearer nope' } });
		expect(bad.status).toBe(401);
		expect(((await bad.json()) as any).error.code).toBe('invalid_api_key');
		const good = await fetch(`${fake.url}/models`, { headers: auth }).then((r) => r.json() as Promise<any>);
		expect(good.data.map((m: { id: string }) => m.id)).toContain('gpt-4o-mini');
	});

	it('returns deterministic unit embeddings, as floats or base64', async () => {
		const embed = (body: unknown) =>
			fetch(`${fake.url}/embeddings`, { method: 'POST', headers: auth, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
		const a = await embed({ model: 'text-embedding-3-small', input: ['alpha', 'beta', 'alpha'], dimensions: 8 });
		expect(a.data).toHaveLength(3);
		expect(a.data[0].embedding).toHaveLength(8);
		expect(a.data[0].embedding).toEqual(a.data[2].embedding);
		expect(a.data[0].embedding).not.toEqual(a.data[1].embedding);
		const norm = Math.hypot(...a.data[1].embedding);
		expect(norm).toBeCloseTo(1, 6);
		const b = await embed({ input: 'alpha', dimensions: 8, encoding_format: 'base64' });
		const bytes = Buffer.from(b.data[0].embedding, 'base64');
		const decoded = Array.from(new Float32Array(Uint8Array.from(bytes).buffer));
		decoded.forEach((v, i) => expect(v).toBeCloseTo(a.data[0].embedding[i], 5));
		const full = await embed({ input: 'x' });
		expect(full.data[0].embedding).toHaveLength(1536);
		expect(full.usage.prompt_tokens).toBeGreaterThan(0);
	});

	it('serves the same script through the Responses API, with function calls as output items', async () => {
		fake.setScript([{ content: 'Looking', toolCalls: [{ id: 'c9', name: 'search', arguments: { q: 'x' } }] }]);
		const post = (body: unknown) =>
			fetch(`${fake.url}/responses`, { method: 'POST', headers: auth, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
		const first = await post({ model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] });
		expect(first.object).toBe('response');
		expect(first.output).toEqual([
			expect.objectContaining({ type: 'message', content: [expect.objectContaining({ type: 'output_text', text: 'Looking' })] }),
			expect.objectContaining({ type: 'function_call', call_id: 'c9', name: 'search', arguments: '{"q":"x"}' }),
		]);
		const echoed = await post({ model: 'gpt-4o-mini', input: 'שלום' });
		expect(echoed.output[0].content[0].text).toBe('שלום');
		expect(echoed.usage.total_tokens).toBe(echoed.usage.input_tokens + echoed.usage.output_tokens);
	});

	it('answers a scripted error status with its headers after the scripted delay', async () => {
		fake.setScript([{ status: 429, headers: { 'retry-after': '0' }, delayMs: 30 }]);
		const started = Date.now();
		const res = await fetch(`${fake.url}/chat/completions`, {
			method: 'POST',
			headers: auth,
			body: JSON.stringify({ messages: [{ role: 'user', content: 'q' }] }),
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(25);
		expect(res.status).toBe(429);
		expect(res.headers.get('retry-after')).toBe('0');
		expect(((await res.json()) as any).error.message).toMatch(/429/);
	});
});
