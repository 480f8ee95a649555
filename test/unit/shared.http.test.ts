import { AgenticError } from '../../nodes/shared/errors';
import { requestWithRetry, retryAfterMs, type HttpResponse, type HttpTransport } from '../../nodes/shared/http';
import { secretHeaderValues } from '../../nodes/shared/openAiCompatible';

function scripted(responses: Array<HttpResponse | Error>): { transport: HttpTransport; calls: number } {
	const state = { calls: 0, transport: (async () => {
		const next = responses[Math.min(state.calls, responses.length - 1)];
		state.calls++;
		if (next instanceof Error) throw next;
		return next;
	}) as HttpTransport };
	return state;
}

const ok: HttpResponse = { status: 200, headers: {}, body: { fine: true } };
const base = { service: 'Example', credentialName: 'Example API', baseDelayMs: 100 };

describe('retryAfterMs', () => {
	it('reads seconds, HTTP dates and retry-after-ms', () => {
		expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
		expect(retryAfterMs({ 'retry-after': new Date(10_000 + 5000).toUTCString() }, 10_000)).toBe(5000);
		expect(retryAfterMs({ 'retry-after-ms': '250' })).toBe(250);
		expect(retryAfterMs({})).toBeUndefined();
		expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
	});
});

describe('requestWithRetry', () => {
	it('waits what Retry-After asks before retrying a 429', async () => {
		const waits: number[] = [];
		const t = scripted([{ status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }, ok]);
		const res = await requestWithRetry(t.transport, { method: 'GET', url: 'http://x' }, { ...base, sleep: async (ms) => void waits.push(ms) });
		expect(res.body).toEqual({ fine: true });
		expect(waits).toEqual([2000]);
		expect(t.calls).toBe(2);
	});

	it('backs off exponentially on 5xx and network errors, then gives a clear upstream error', async () => {
		const waits: number[] = [];
		const t = scripted([Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { status: 503, headers: {}, body: { error: 'down' } }]);
		const error = await requestWithRetry(t.transport, { method: 'GET', url: 'http://x' }, { ...base, retries: 2, sleep: async (ms) => void waits.push(ms) }).catch((e) => e);
		expect(error).toBeInstanceOf(AgenticError);
		expect(error.kind).toBe('upstream');
		expect(error.message).toBe('Example could not be reached after 3 tries: HTTP 503: down');
		expect(t.calls).toBe(3);
		expect(waits[0]).toBeGreaterThanOrEqual(75);
		expect(waits[0]).toBeLessThanOrEqual(125);
		expect(waits[1]).toBeGreaterThanOrEqual(150);
		expect(waits[1]).toBeLessThanOrEqual(250);
	});

	it('names the credential on 401 without retrying or leaking the key', async () => {
		const t = scripted([{ status: 401, headers: {}, body: { error: { message: 'bad key sk-secret-123' } } }]);
		const error = await requestWithRetry(t.transport, { method: 'GET', url: 'http://x' }, { ...base, secrets: ['sk-secret-123'], sleep: async () => {} }).catch((e) => e);
		expect(error.kind).toBe('auth');
		expect(error.message).toContain('Example refused the API key (HTTP 401)');
		expect(error.message).not.toContain('sk-secret-123');
		expect(error.description).toBe('Check the API key in the "Example API" credential.');
		expect(t.calls).toBe(1);
	});

	it('reports rate limiting when 429 outlasts the retries', async () => {
		const t = scripted([{ status: 429, headers: {}, body: 'busy' }]);
		const error = await requestWithRetry(t.transport, { method: 'GET', url: 'http://x' }, { ...base, retries: 1, sleep: async () => {} }).catch((e) => e);
		expect(error.kind).toBe('rate_limited');
		expect(t.calls).toBe(2);
	});

	it('returns client errors other than 401/403/408/429 to the caller untouched', async () => {
		const t = scripted([{ status: 400, headers: {}, body: { error: 'bad field' } }]);
		const res = await requestWithRetry(t.transport, { method: 'GET', url: 'http://x' }, { ...base, sleep: async () => {} });
		expect(res.status).toBe(400);
		expect(t.calls).toBe(1);
	});
});

describe('secretHeaderValues', () => {
	it('picks the extra header values that are credentials or token-shaped, not app names or site URLs', () => {
		expect(
			secretHeaderValues({
				'HTTP-Referer': 'https://example.com/a-long-path-here',
				'X-Title': 'My Research Agent',
				'X-Api-Key': 'short1',
				Cookie: 'sid=abc',
				'X-Trace': 'a1b2c3d4e5f6a7b8c9d0',
				'X-Region': 'eu-west-1',
			}),
		).toEqual(['short1', 'sid=abc', 'a1b2c3d4e5f6a7b8c9d0']);
	});

	it('stops waiting for the next try as soon as the execution is cancelled', async () => {
		const controller = new AbortController();
		const t = scripted([{ status: 503, headers: { 'retry-after': '30' }, body: 'down' }]);
		const started = Date.now();
		setTimeout(() => controller.abort(), 50);
		const error = await requestWithRetry(t.transport, { method: 'GET', url: 'http://x', signal: controller.signal }, { ...base, maxDelayMs: 30_000 }).catch((e) => e);
		expect(error.kind).toBe('cancelled');
		expect(Date.now() - started).toBeLessThan(2000);
		expect(t.calls).toBe(1);
	});
});
