// Tavily Research: creates a research task, polls its status until Tavily reports it completed or failed, and returns the report.
import { AgenticError } from '../../shared/errors';
import type { TavilyResearchParams, TavilyResearchResponse } from './types';

const MODELS = ['mini', 'pro', 'auto'] as const;
const CITATION_FORMATS = ['numbered', 'mla', 'apa', 'chicago'] as const;

/** How long to wait between status polls, and for the whole task (Tavily says research takes 30 to 120 s, pro longer). */
export interface ResearchWait {
	pollIntervalMs?: number;
	maxWaitMs?: number;
	signal?: AbortSignal;
	sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RESEARCH_POLL_MS = 5_000;
export const DEFAULT_RESEARCH_MAX_WAIT_MS = 10 * 60_000;

function invalid(field: string, message: string, description: string): AgenticError {
	return new AgenticError('invalid_input', message, { field, description });
}

/** The POST /research body, checked before any request. */
export function researchBody(params: TavilyResearchParams): Record<string, unknown> {
	const input = typeof params.input === 'string' ? params.input.trim() : '';
	if (input === '') throw invalid('input', 'The research input is empty', 'Give the research task or question, e.g. "How do heat pumps compare with gas boilers in 2026?".');
	if (params.model !== undefined && !MODELS.includes(params.model)) {
		throw invalid('model', `model must be one of ${MODELS.join(', ')} (got "${String(params.model)}")`, `Pick one of: ${MODELS.join(', ')}.`);
	}
	if (params.citationFormat !== undefined && !CITATION_FORMATS.includes(params.citationFormat)) {
		throw invalid('citationFormat', `citationFormat must be one of ${CITATION_FORMATS.join(', ')} (got "${String(params.citationFormat)}")`, `Pick one of: ${CITATION_FORMATS.join(', ')}.`);
	}
	const schema = params.outputSchema;
	if (schema !== undefined && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
		throw invalid('outputSchema', 'The output schema must be a JSON Schema object', 'Write it as a JSON object, e.g. {"type": "object", "properties": {"summary": {"type": "string"}}}.');
	}
	return {
		input,
		...(params.model ? { model: params.model } : {}),
		...(params.citationFormat ? { citation_format: params.citationFormat } : {}),
		...(schema ? { output_schema: schema } : {}),
	};
}

/** Tavily's reason for a failed task, wherever its answer puts it. */
function failureReason(body: Record<string, unknown>): string {
	const detail = body.detail as { error?: unknown } | string | undefined;
	const reason = body.error ?? body.message ?? (typeof detail === 'string' ? detail : detail?.error);
	return typeof reason === 'string' && reason.trim() ? reason.trim() : 'Tavily gave no reason';
}

const cancelled = () => Object.assign(new AgenticError('cancelled', 'The Tavily research was cancelled'), { code: 'ABORTED' });

function waitFor(ms: number, signal: AbortSignal | undefined, sleep?: (ms: number) => Promise<void>): Promise<void> {
	if (sleep) return sleep(ms);
	return new Promise<void>((resolve) => {
		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		signal?.addEventListener('abort', done, { once: true });
	});
}

/**
 * Polls a created task until Tavily reports it done. `getStatus` answers GET /research/{id} (HTTP 202 while it runs).
 * A failed task throws with Tavily's reason; the execution's cancel stops the wait at once.
 */
export async function pollResearch(
	requestId: string,
	getStatus: () => Promise<Record<string, unknown>>,
	wait: ResearchWait = {},
): Promise<TavilyResearchResponse> {
	const interval = wait.pollIntervalMs ?? DEFAULT_RESEARCH_POLL_MS;
	const maxWait = wait.maxWaitMs ?? DEFAULT_RESEARCH_MAX_WAIT_MS;
	const started = Date.now();
	// Time waited between polls counts even where the clock says otherwise (a test's sleep returns at once).
	let waited = 0;
	for (;;) {
		if (wait.signal?.aborted) throw cancelled();
		const answer = await getStatus();
		const status = answer.status;
		if (status === 'completed') {
			return { ...answer, sources: Array.isArray(answer.sources) ? answer.sources : [] } as TavilyResearchResponse;
		}
		if (status === 'failed') {
			throw new AgenticError('upstream', `Tavily's research task ${requestId} failed: ${failureReason(answer)}`, {
				description: 'Try again, or rephrase the research input; Tavily charges no credits for a failed task.',
			});
		}
		if (Math.max(Date.now() - started, waited) + interval > maxWait) {
			throw new AgenticError('upstream', `Tavily's research task ${requestId} was still ${String(status ?? 'running')} after ${Math.round(maxWait / 1000)} s`, {
				field: 'maxWaitSeconds',
				description: 'Raise Max Wait, or choose the mini model for faster research.',
			});
		}
		await waitFor(interval, wait.signal, wait.sleep);
		waited += interval;
	}
}
