// The Agent Brain's recall and remember tools on a real embedded Vector Memory store, with the scripted OpenAI fake as model and embeddings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgent, type AgentRunOptions } from '../../nodes/AgentBrain/engine/loop';
import { recallTool, rememberTool } from '../../nodes/AgentBrain/engine/memoryTools';
import { OpenAiChatModel } from '../../nodes/AgentBrain/engine/model';
import { OpenAiEmbedder } from '../../nodes/VectorMemory/embeddings';
import { VectorMemory } from '../../nodes/VectorMemory/memory';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';
import { QdrantStore } from '../../nodes/VectorMemory/stores/qdrant';
import type { StoreBackend } from '../../nodes/VectorMemory/types';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';

const KEY = 'sk-memory-test';
let fake: FakeOpenAI;
let dir: string;
const opened: StoreBackend[] = [];

beforeEach(async () => {
	fake = await startFakeOpenAI({ apiKey: KEY, embeddingDims: 64 });
	dir = mkdtempSync(join(tmpdir(), 'agent-memory-tools-'));
});
afterEach(async () => {
	await Promise.all(opened.splice(0).map((store) => store.close()));
	await fake.close();
	rmSync(dir, { recursive: true, force: true });
});

/** A fresh store and engine on the same folder, as each n8n execution opens its own. */
function openMemory(store: StoreBackend = new EmbeddedStore({ directory: dir })): VectorMemory {
	opened.push(store);
	return new VectorMemory(store, new OpenAiEmbedder({ apiKey: KEY, baseUrl: fake.url, model: 'text-embedding-3-small', retry: { retries: 0 } }));
}

function run(memory: VectorMemory, options: Partial<AgentRunOptions>) {
	return runAgent({
		model: new OpenAiChatModel({ apiKey: KEY, baseUrl: fake.url, model: 'gpt-4o-mini', retry: { retries: 0 } }),
		task: 'Help the user',
		tools: [recallTool(memory, 'team'), rememberTool(memory, 'team')],
		...options,
	} as AgentRunOptions);
}

/** What the tool told the model in the request that followed the call. */
function toolObservation(requestIndex: number): string {
	const messages = fake.requests.filter((r) => r.path.endsWith('/chat/completions'))[requestIndex].body.messages as Array<{ role: string; content: string }>;
	return messages.filter((m) => m.role === 'tool').at(-1)!.content;
}

describe('Agent Brain memory tools', () => {
	it('remembers a text in one run and recalls it, with its id, metadata and score, in a later run', async () => {
		const fact = 'Ana prefers invoices in PDF, sent on the first Monday of the month.';
		fake.setScript([
			{ toolCalls: [{ id: 'r1', name: 'remember', arguments: { text: fact, metadata: { user: 'ana', topic: 'billing' } } }] },
			{ toolCalls: [{ id: 'r2', name: 'remember', arguments: { text: 'Bruno works from Lisbon.', metadata: { user: 'bruno' } } }] },
			{ content: 'Noted.' },
		]);
		const first = await run(openMemory(), { task: 'Ana says: invoices as PDF, first Monday please. Bruno is in Lisbon.' });
		expect(first.answer).toBe('Noted.');
		expect(first.toolCalls.map((c) => c.error)).toEqual([undefined, undefined]);
		const saved = JSON.parse(toolObservation(1)) as { stored: boolean; id: string };
		expect(saved.stored).toBe(true);
		expect(saved.id).toMatch(/\S/);

		fake.setScript([{ toolCalls: [{ id: 'q1', name: 'recall', arguments: { query: fact, top_k: 2 } }] }, { content: 'She wants PDF invoices on the first Monday.' }]);
		const later = await run(openMemory(), { task: 'How does Ana want her invoices?' });
		expect(later.answer).toBe('She wants PDF invoices on the first Monday.');
		const recalled = JSON.parse(toolObservation(4)) as { results: Array<{ id: string; text: string; score: number; metadata: Record<string, unknown> }> };
		expect(recalled.results).toHaveLength(2);
		expect(recalled.results[0]).toEqual({ id: saved.id, text: fact, score: 1, metadata: { user: 'ana', topic: 'billing' } });
		expect(recalled.results[1].text).toBe('Bruno works from Lisbon.');
		expect(recalled.results[1].score).toBeLessThan(1);
	});

	it('gives the same text the same id, so saving it again updates it instead of duplicating it', async () => {
		const memory = openMemory();
		const remember = rememberTool(memory, 'team');
		const signal = new AbortController().signal;
		const a = (await remember.run({ text: 'The VPN gateway is vpn.example.com.' }, { signal })) as { id: string };
		const b = (await remember.run({ text: 'The VPN gateway is vpn.example.com.', metadata: { checked: true } }, { signal })) as { id: string };
		expect(b.id).toBe(a.id);
		expect(await memory.stats('team')).toEqual({ count: 1, dimensions: 64 });
		const hits = (await recallTool(memory, 'team').run({ query: 'vpn' }, { signal })) as { results: Array<{ metadata: object }> };
		expect(hits.results.map((r) => r.metadata)).toEqual([{ checked: true }]);
	});

	it('recalls only the texts whose metadata matches the filter the model gives', async () => {
		const memory = openMemory();
		await memory.upsert(
			'team',
			[
				{ text: 'Refunds take 5 days.', metadata: { topic: 'billing', year: 2024 } },
				{ text: 'Refunds took 10 days.', metadata: { topic: 'billing', year: 2019 } },
				{ text: 'The office opens at 9.', metadata: { topic: 'office', year: 2024 } },
			],
			{ chunkSize: 1000, chunkOverlap: 0 },
		);
		fake.setScript([
			{ toolCalls: [{ id: 'q', name: 'recall', arguments: { query: 'refund time', filter: { topic: 'billing', year: { $gte: 2020 } } } }] },
			{ content: '5 days.' },
		]);
		await run(memory, {});
		const recalled = JSON.parse(toolObservation(1)) as { results: Array<{ text: string }> };
		expect(recalled.results.map((r) => r.text)).toEqual(['Refunds take 5 days.']);
	});

	it('accepts citations of the url a recalled text was stored with, and flags a url memory never returned', async () => {
		// Filled as the Vector Memory node does: a document with its source page in the metadata.
		await openMemory().upsert('team', [{ text: 'Refunds are paid within 5 working days.', metadata: { url: 'https://help.example.com/refunds', title: 'Refunds' } }], {
			chunkSize: 1000,
			chunkOverlap: 200,
		});
		fake.setScript([
			{ toolCalls: [{ id: 'q', name: 'recall', arguments: { query: 'How long do refunds take?' } }] },
			{ content: 'Within 5 working days (https://help.example.com/refunds). See also https://help.example.com/made-up.' },
		]);
		const result = await run(openMemory(), { task: 'How long do refunds take?', requireCitations: true });
		const recalled = JSON.parse(toolObservation(1)) as { results: Array<{ url?: string }> };
		expect(recalled.results[0].url).toBe('https://help.example.com/refunds');
		expect(result.citations).toEqual(['https://help.example.com/refunds']);
		expect(result.unverifiedCitations).toEqual(['https://help.example.com/made-up']);
	});

	it('tells the model when memory holds nothing that matches', async () => {
		fake.setScript([{ toolCalls: [{ id: 'q', name: 'recall', arguments: { query: 'anything' } }] }, { content: 'I have nothing on that.' }]);
		const result = await run(openMemory(), {});
		expect(result.toolCalls[0].error).toBeUndefined();
		expect(JSON.parse(toolObservation(1))).toEqual({ results: [], note: expect.stringContaining('Nothing in memory matches') });
	});

	it('hands a bad filter back to the model as an error it can fix, and the run goes on', async () => {
		await openMemory().upsert('team', [{ text: 'Refunds take 5 days.', metadata: { year: 2024 } }], { chunkSize: 1000, chunkOverlap: 0 });
		fake.setScript([
			{ toolCalls: [{ id: 'q1', name: 'recall', arguments: { query: 'refunds', filter: { year: { $near: 2024 } } } }] },
			{ toolCalls: [{ id: 'q2', name: 'recall', arguments: { query: 'refunds', filter: 'year is 2024' } }] },
			{ toolCalls: [{ id: 'q3', name: 'recall', arguments: { query: 'refunds', filter: { year: 2024 } } }] },
			{ content: '5 days.' },
		]);
		const result = await run(openMemory(), {});
		expect(result.stopReason).toBe('completed');
		expect(result.answer).toBe('5 days.');
		expect(toolObservation(1)).toMatch(/^Error: recall failed: Invalid filter on field "year": unknown operator "\$near"/);
		expect(toolObservation(2)).toMatch(/^Error: invalid arguments for recall: .*filter/);
		expect(JSON.parse(toolObservation(3)).results[0].text).toBe('Refunds take 5 days.');
		expect(result.toolCalls.map((c) => Boolean(c.error))).toEqual([true, true, false]);
	});

	it('hands a memory backend that cannot be reached back to the model as an error, naming the service', async () => {
		const down = openMemory(new QdrantStore({ baseUrl: 'http://127.0.0.1:9', retry: { retries: 0 } }));
		fake.setScript([{ toolCalls: [{ id: 'q', name: 'recall', arguments: { query: 'refunds' } }] }, { content: 'Memory is unavailable right now.' }]);
		const result = await run(down, {});
		expect(result.answer).toBe('Memory is unavailable right now.');
		expect(toolObservation(1)).toMatch(/^Error: recall failed: Qdrant could not be reached/);
		expect(result.toolCalls[0].error).toMatch(/recall failed/);
	});
});
