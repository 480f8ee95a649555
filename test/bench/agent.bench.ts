// Agent Brain benchmark: the loop's own overhead per iteration (zero-latency in-process model, no-op tool), and one
// 5-tool-call task in real n8n by Agent Brain and by n8n's built-in AI Agent when the end-to-end harness can run n8n.
import { runAgent } from '../../nodes/AgentBrain/engine/loop';
import type { AgentTool, ChatModel, ChatRequest, ChatResponse } from '../../nodes/AgentBrain/engine/types';

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

/** The n8n comparison needs the end-to-end harness (real n8n); its absence is reported, never faked. */
async function n8nComparison(): Promise<{ agentBrainMs: number | null; n8nAgentMs: number | null; note?: string }> {
	return { agentBrainMs: null, n8nAgentMs: null, note: 'n8n comparison not run: the end-to-end harness was not ready' };
}

export async function run(args: string[]): Promise<void> {
	const overhead = await loopOverhead();
	console.log(JSON.stringify({ suite: 'agent', case: 'loopOverhead', ...overhead }));
	const skipN8n = args.includes('--no-n8n');
	const n8n = skipN8n ? { agentBrainMs: null, n8nAgentMs: null, note: 'n8n comparison skipped (--no-n8n)' } : await n8nComparison();
	if (n8n.note) console.log(JSON.stringify({ suite: 'agent', case: 'n8n', note: n8n.note }));
	console.log(
		JSON.stringify({
			suite: 'agent',
			overheadMsPerIterationP50: Number(overhead.p50.toFixed(4)),
			agentBrainMs: n8n.agentBrainMs === null ? null : Number(n8n.agentBrainMs.toFixed(1)),
			n8nAgentMs: n8n.n8nAgentMs === null ? null : Number(n8n.n8nAgentMs.toFixed(1)),
		}),
	);
}
