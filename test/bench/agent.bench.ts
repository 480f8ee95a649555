// Agent Brain benchmark: the loop's own overhead per iteration (zero-latency in-process model, no-op tool), and in real
// n8n, by Agent Brain and by n8n's built-in AI Agent, one 5-tool-call task and a batch of 20 items on a model with latency,
// and how soon a streaming webhook gets Agent Brain's first words and its whole answer.
import { runAgent } from '../../nodes/AgentBrain/engine/loop';
import type { AgentTool, ChatModel, ChatRequest, ChatResponse } from '../../nodes/AgentBrain/engine/types';
import { startN8n, type N8nInstance, type WorkflowSpec } from '../e2e/harness';
import { streamWebhook } from '../e2e/streaming';
import { startFakeOpenAI, type FakeOpenAI, type ScriptedReply } from '../fakes/openai';

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Answers instantly: a tool call on every turn until `iterations` turns, then a final answer. */
function instantModel(iterations: number): ChatModel {
	return {
		async complete(request: ChatRequest): Promise<ChatResponse> {
			const turns = request.messages.filter((m) => m.role === 'assistant').length;
			const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
			if (turns + 1 >= iterations || !request.tools) return { message: { role: 'assistant', content: 'done' }, usage };
			return {
				message: {
					role: 'assistant',
					content: null,
					tool_calls: [{ id: `call_${turns}`, type: 'function', function: { name: 'noop', arguments: `{"step":${turns}}` } }],
				},
				usage,
			};
		},
	};
}

const noop: AgentTool = {
	name: 'noop',
	description: 'Does nothing',
	parameters: { type: 'object', properties: { step: { type: 'integer' } }, required: ['step'] },
	run: async () => 'ok',
};

async function loopOverhead(): Promise<{ p50: number; p90: number; runs: number; iterationsPerRun: number }> {
	const iterationsPerRun = 20;
	const perIteration: number[] = [];
	for (let i = 0; i < 30; i++) await runAgent({ model: instantModel(iterationsPerRun), task: 'warm up', tools: [noop], maxIterations: 50 });
	const runs = 300;
	for (let i = 0; i < runs; i++) {
		const started = performance.now();
		const result = await runAgent({ model: instantModel(iterationsPerRun), task: 'benchmark', tools: [noop], maxIterations: 50 });
		const ms = performance.now() - started;
		if (result.iterations !== iterationsPerRun) throw new Error(`expected ${iterationsPerRun} iterations, got ${result.iterations}`);
		perIteration.push(ms / result.iterations);
	}
	return { p50: percentile(perIteration, 50), p90: percentile(perIteration, 90), runs, iterationsPerRun };
}

const TOOL_CALLS = 5;
// Medians of this many timed runs per workflow; AGENT_BENCH_RUNS overrides.
const N8N_RUNS = Number(process.env.AGENT_BENCH_RUNS) || 30;
const BENCH_OPENAI_KEY = 'sk-bench-key';

/** The fake model's side of the task: call the connected tool until it has answered 5 times, then answer. */
function fiveToolCallTask(request: { body: any }): ScriptedReply {
	const messages: any[] = request.body.messages ?? [];
	const results = messages.filter((m) => m.role === 'tool').length;
	if (results >= TOOL_CALLS) return { content: `done after ${results} tool calls` };
	const toolName = request.body.tools?.[0]?.function?.name ?? request.body.tools?.[0]?.name;
	return { toolCalls: [{ name: toolName, arguments: { input: `step ${results + 1}` } }] };
}

const BATCH_ITEMS = 20;
const BATCH_TOOL_CALLS = 2;
const BATCH_LATENCY_MS = 150;
const BATCH_RUNS = Number(process.env.AGENT_BENCH_BATCH_RUNS) || 3;

/** One item of the batch: two tool calls, one per turn, then the answer; every model call takes 150 ms. */
function batchItemTask(request: { body: any }): ScriptedReply {
	const messages: any[] = request.body.messages ?? [];
	const results = messages.filter((m) => m.role === 'tool').length;
	if (results >= BATCH_TOOL_CALLS) return { content: `done after ${results} tool calls`, delayMs: BATCH_LATENCY_MS };
	const toolName = request.body.tools?.[0]?.function?.name ?? request.body.tools?.[0]?.name;
	return { toolCalls: [{ name: toolName, arguments: { input: `step ${results + 1}` } }], delayMs: BATCH_LATENCY_MS };
}

const STREAM_WORDS = 20;
const STREAM_WORD_MS = 50;
const STREAM_RUNS = 5;

/** All benchmarks share one fake: batch items and the streaming task say so in their task. */
function benchTask(request: { body: any }): ScriptedReply {
	const task = JSON.stringify(request.body.messages?.find((m: any) => m.role === 'user')?.content ?? '');
	if (task.includes('Stream an answer')) return { content: Array.from({ length: STREAM_WORDS }, (_, i) => `word${i}`).join(' '), streamDelayMs: STREAM_WORD_MS };
	return task.includes('Batch item') ? batchItemTask(request) : fiveToolCallTask(request);
}

function streamingWorkflow(): WorkflowSpec {
	return {
		name: 'Bench streaming Agent Brain',
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], webhookId: 'bench-stream', parameters: { httpMethod: 'POST', path: 'bench-stream', responseMode: 'streaming', options: {} } },
			{
				name: 'Agent Brain',
				type: 'n8n-nodes-agentic.agentBrain',
				typeVersion: 1,
				position: [300, 0],
				parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: [] },
				credentials: { openAiCompatibleAgenticApi: { name: 'Bench OpenAI-compatible' } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] } },
	};
}

/** A streaming webhook: when the first words reach the client and when the whole answer has (the model writes 20 words, 50 ms apart). */
async function streamingTimes(n8n: N8nInstance): Promise<{ firstChunkMs: number; fullAnswerMs: number }> {
	const first: number[] = [];
	const full: number[] = [];
	for (let i = 0; i <= STREAM_RUNS; i++) {
		const { chunks, startedAt } = await streamWebhook(`${n8n.url}/webhook/bench-stream`, { task: 'Stream an answer.' });
		const items = chunks.filter((chunk) => chunk.type === 'item');
		if (items.map((chunk) => chunk.content).join('').split(' ').length !== STREAM_WORDS) throw new Error(`bench-stream: ${JSON.stringify(chunks).slice(0, 300)}`);
		// The first run warms up.
		if (i === 0) continue;
		first.push(items[0].at - startedAt);
		full.push(chunks.at(-1)!.at - startedAt);
	}
	const result = { firstChunkMs: percentile(first, 50), fullAnswerMs: percentile(full, 50) };
	console.log(JSON.stringify({ suite: 'agent', case: 'bench-stream', runs: STREAM_RUNS, words: STREAM_WORDS, msPerWord: STREAM_WORD_MS, ...result }));
	return result;
}

/** Webhook → 20 items (Code) → the agent with its default batch settings → Respond with all items. */
function batchWorkflow(name: string, path: string, agent: WorkflowSpec['nodes'][number], extra: WorkflowSpec['nodes'], extraConnections: Record<string, unknown>): WorkflowSpec {
	return {
		name,
		nodes: [
			{ name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `bench-${path}`, parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} } },
			{
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [150, 0],
				parameters: { jsCode: `return Array.from({ length: ${BATCH_ITEMS} }, (_, i) => ({ json: { task: 'Batch item ' + i + ': call the tool twice, then say done.' } }));` },
			},
			{ ...agent, position: [300, 0] },
			...extra,
			{ name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 0], parameters: { respondWith: 'allIncomingItems', options: {} } },
		],
		connections: {
			Webhook: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: agent.name, type: 'main', index: 0 }]] },
			[agent.name]: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
			...extraConnections,
		},
	};
}

function batchWorkflows(): WorkflowSpec[] {
	const think = { name: 'Echo Tool', type: '@n8n/n8n-nodes-langchain.toolThink', typeVersion: 1.1, position: [300, 200], parameters: { description: 'Notes a thought; returns it unchanged' } };
	const toolOf = (agent: string) => ({ 'Echo Tool': { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] } });
	const chatModel = {
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.2,
		position: [200, 200],
		parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
		credentials: { openAiApi: { name: 'Bench OpenAI' } },
	};
	return [
		batchWorkflow(
			'Bench batch Agent Brain',
			'bench-batch-agent-brain',
			{
				name: 'Agent Brain',
				type: 'n8n-nodes-agentic.agentBrain',
				typeVersion: 1,
				parameters: { task: '={{ $json.task }}', model: 'gpt-4o-mini', builtInTools: [] },
				credentials: { openAiCompatibleAgenticApi: { name: 'Bench OpenAI-compatible' } },
			},
			[think],
			toolOf('Agent Brain'),
		),
		batchWorkflow(
			'Bench batch n8n AI Agent',
			'bench-batch-n8n-agent',
			{ name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 3, parameters: { promptType: 'define', text: '={{ $json.task }}', options: {} } },
			[think, chatModel],
			{ ...toolOf('AI Agent'), 'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] } },
		),
	];
}

/** Median round trip of the 20-item batch by each agent, in the same n8n against the same fake. */
async function batchComparison(n8n: N8nInstance, fake: FakeOpenAI): Promise<{ batchAgentBrainMs: number; batchN8nAgentMs: number }> {
	const timeBatch = async (path: string) => {
		await new Promise((resolve) => setTimeout(resolve, 200));
		const before = fake.requests.length;
		const started = performance.now();
		const response = await n8n.webhook('POST', path, {});
		const ms = performance.now() - started;
		const calls = fake.requests.length - before;
		const answered = Array.isArray(response.body) ? response.body.filter((item: any) => /^done after 2 tool calls$/.test(item.answer ?? item.output ?? '')).length : 0;
		if (response.status !== 200 || answered !== BATCH_ITEMS || calls !== BATCH_ITEMS * (BATCH_TOOL_CALLS + 1)) {
			throw new Error(`${path}: HTTP ${response.status}, ${answered} answered items, ${calls} model calls: ${JSON.stringify(response.body).slice(0, 300)}`);
		}
		return ms;
	};
	const times: Record<string, number[]> = { 'bench-batch-agent-brain': [], 'bench-batch-n8n-agent': [] };
	for (const path of Object.keys(times)) await timeBatch(path);
	for (let i = 0; i < BATCH_RUNS; i++) for (const path of Object.keys(times)) times[path].push(await timeBatch(path));
	for (const [path, list] of Object.entries(times)) {
		console.log(JSON.stringify({ suite: 'agent', case: path, runs: list.length, items: BATCH_ITEMS, toolCallsPerItem: BATCH_TOOL_CALLS, modelLatencyMs: BATCH_LATENCY_MS, msP50: percentile(list, 50), msMin: Math.min(...list) }));
	}
	return { batchAgentBrainMs: percentile(times['bench-batch-agent-brain'], 50), batchN8nAgentMs: percentile(times['bench-batch-n8n-agent'], 50) };
}

function benchWorkflows(): WorkflowSpec[] {
	const webhook = (path: string) => ({
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `bench-${path}`,
		parameters: { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
	});
	const respond = { name: 'Respond to Webhook', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 0], parameters: { respondWith: 'firstIncomingItem', options: {} } };
	// The tool both agents call: n8n's Think tool (a no-op that runs in n8n's process), or with
	// AGENT_BENCH_TOOL=code n8n's Code Tool, whose JavaScript runs in n8n's task runner process.
	const codeTool =
		process.env.AGENT_BENCH_TOOL === 'code'
			? {
					name: 'Echo Tool',
					type: '@n8n/n8n-nodes-langchain.toolCode',
					typeVersion: 1.3,
					position: [300, 200],
					parameters: { description: 'Returns its input', language: 'javaScript', jsCode: "return 'echo ' + query;" },
				}
			: {
					name: 'Echo Tool',
					type: '@n8n/n8n-nodes-langchain.toolThink',
					typeVersion: 1.1,
					position: [300, 200],
					parameters: { description: 'Notes a thought; returns it unchanged' },
				};
	const chain = (agent: string) => ({
		Webhook: { main: [[{ node: agent, type: 'main', index: 0 }]] },
		[agent]: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
		'Echo Tool': { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] },
	});
	return [
		{
			// What n8n itself spends on any webhook execution (trigger, run, save, respond): the floor under both agents.
			name: 'Bench baseline',
			nodes: [webhook('bench-baseline'), respond],
			connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
		},
		{
			name: 'Bench Agent Brain',
			nodes: [
				webhook('bench-agent-brain'),
				{
					name: 'Agent Brain',
					type: 'n8n-nodes-agentic.agentBrain',
					typeVersion: 1,
					position: [300, 0],
					parameters: { task: '={{ $json.body.task }}', model: 'gpt-4o-mini', builtInTools: [] },
					credentials: { openAiCompatibleAgenticApi: { name: 'Bench OpenAI-compatible' } },
				},
				codeTool,
				respond,
			],
			connections: chain('Agent Brain'),
		},
		{
			name: 'Bench n8n AI Agent',
			nodes: [
				webhook('bench-n8n-agent'),
				{
					name: 'AI Agent',
					type: '@n8n/n8n-nodes-langchain.agent',
					typeVersion: 3,
					position: [300, 0],
					parameters: { promptType: 'define', text: '={{ $json.body.task }}', options: {} },
				},
				{
					name: 'OpenAI Chat Model',
					type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
					typeVersion: 1.2,
					position: [200, 200],
					parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
					credentials: { openAiApi: { name: 'Bench OpenAI' } },
				},
				codeTool,
				respond,
			],
			connections: {
				...chain('AI Agent'),
				'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			},
		},
	];
}

interface N8nFigures {
	agentBrainMs: number | null;
	n8nAgentMs: number | null;
	webhookBaselineMs?: number | null;
	batchAgentBrainMs?: number | null;
	batchN8nAgentMs?: number | null;
	firstChunkMs?: number | null;
	fullAnswerMs?: number | null;
	note?: string;
}

/** Median webhook round trips, in one real n8n, by Agent Brain and by n8n's AI Agent: the 5-tool-call task, then the batch. */
async function n8nComparison(): Promise<N8nFigures> {
	const fake = await startFakeOpenAI({ apiKey: BENCH_OPENAI_KEY });
	fake.setScript(Array.from({ length: 5000 }, () => benchTask));
	let n8n: N8nInstance | undefined;
	try {
		n8n = await startN8n({
			credentials: [
				{ name: 'Bench OpenAI-compatible', type: 'openAiCompatibleAgenticApi', data: { apiKey: BENCH_OPENAI_KEY, baseUrl: fake.url, organization: '', extraHeaders: '{}' } },
				{ name: 'Bench OpenAI', type: 'openAiApi', data: { apiKey: BENCH_OPENAI_KEY, url: fake.url, header: false } },
			],
			workflows: [...benchWorkflows(), ...batchWorkflows(), streamingWorkflow()],
		});
		const timeOne = async (path: string) => {
			// n8n finishes saving an execution after it has answered the webhook; a short pause keeps one
			// run's saving out of the next run's timing, as for calls that do not arrive back to back.
			await new Promise((resolve) => setTimeout(resolve, 50));
			const before = fake.requests.length;
			const started = performance.now();
			const response = await n8n!.webhook('POST', path, { task: 'Call the tool five times, then say done.' });
			const ms = performance.now() - started;
			const calls = fake.requests.length - before;
			const expectedCalls = path === 'bench-baseline' ? 0 : TOOL_CALLS + 1;
			if (response.status !== 200 || calls !== expectedCalls) {
				throw new Error(`${path}: HTTP ${response.status}, ${calls} model calls: ${JSON.stringify(response.body).slice(0, 300)}`);
			}
			return ms;
		};
		// Each workflow runs in blocks, the first two runs of a block not counted: n8n 2.41 adds ~30 ms to an
		// execution whenever a different workflow ran just before it (a plain Set workflow too), which would
		// measure n8n, not the agents. Blocks take turns over several rounds, so drift in n8n's background work
		// falls on all three alike.
		const paths = ['bench-baseline', 'bench-agent-brain', 'bench-n8n-agent'];
		const times: Record<string, number[]> = Object.fromEntries(paths.map((p) => [p, []]));
		const rounds = 3;
		const perBlock = Math.max(1, Math.ceil(N8N_RUNS / rounds));
		for (let round = 0; round < rounds; round++) {
			for (const path of paths) {
				for (let i = 0; i < 2; i++) await timeOne(path);
				for (let i = 0; i < perBlock; i++) times[path].push(await timeOne(path));
			}
		}
		for (const path of paths) {
			const toolCalls = path === 'bench-baseline' ? 0 : TOOL_CALLS;
			console.log(JSON.stringify({ suite: 'agent', case: path, runs: times[path].length, toolCalls, msP50: percentile(times[path], 50), msMin: Math.min(...times[path]) }));
		}
		return {
			webhookBaselineMs: percentile(times['bench-baseline'], 50),
			agentBrainMs: percentile(times['bench-agent-brain'], 50),
			n8nAgentMs: percentile(times['bench-n8n-agent'], 50),
			...(await batchComparison(n8n, fake)),
			...(await streamingTimes(n8n)),
		};
	} catch (error) {
		return { agentBrainMs: null, n8nAgentMs: null, note: `n8n comparison failed: ${(error as Error).message.split('\n')[0].slice(0, 400)}` };
	} finally {
		await n8n?.stop();
		await fake.close();
	}
}

export async function run(args: string[]): Promise<void> {
	const overhead = await loopOverhead();
	console.log(JSON.stringify({ suite: 'agent', case: 'loopOverhead', ...overhead }));
	const skipN8n = args.includes('--no-n8n');
	const n8n: N8nFigures = skipN8n ? { agentBrainMs: null, n8nAgentMs: null, note: 'n8n comparison skipped (--no-n8n)' } : await n8nComparison();
	const round = (ms: number | null | undefined) => (ms == null ? null : Number(ms.toFixed(1)));
	if (n8n.note) console.log(JSON.stringify({ suite: 'agent', case: 'n8n', note: n8n.note }));
	console.log(
		JSON.stringify({
			suite: 'agent',
			overheadMsPerIterationP50: Number(overhead.p50.toFixed(4)),
			agentBrainMs: n8n.agentBrainMs === null ? null : Number(n8n.agentBrainMs.toFixed(1)),
			n8nAgentMs: n8n.n8nAgentMs === null ? null : Number(n8n.n8nAgentMs.toFixed(1)),
			webhookBaselineMs: round(n8n.webhookBaselineMs),
			batchAgentBrainMs: round(n8n.batchAgentBrainMs),
			batchN8nAgentMs: round(n8n.batchN8nAgentMs),
			firstChunkMs: round(n8n.firstChunkMs),
			fullAnswerMs: round(n8n.fullAnswerMs),
		}),
	);
}
