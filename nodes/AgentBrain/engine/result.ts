// The run's result: its answer, records, citations, trace and turn, with every secret removed.
import { checkCitations } from './citations';
import { redactJson } from './trace';
import type { StructuredCheck } from './structuredOutput';
import type { AgentResult, ChatMessage, StopReason, TokenUsage, ToolCallRecord, TraceEntry } from './types';

export interface FinishedRun {
	answer: string;
	stopReason: StopReason;
	iterations: number;
	toolCalls: ToolCallRecord[];
	usage: TokenUsage;
	trace: TraceEntry[];
	turn: ChatMessage[];
	/** URLs tool results returned: what the answer may cite. */
	sources: Iterable<string>;
	/** The answer checked against the output schema, when there is one. */
	structured?: StructuredCheck;
	requireCitations?: boolean;
}

/**
 * Builds the result. What a tool or the model echoed (a key in an error, a header in a response) must not reach the
 * output or the stored turn, so every text in it is redacted.
 */
export function buildResult(run: FinishedRun, secrets: Array<string | undefined>): AgentResult {
	const cited = checkCitations(run.answer, run.sources);
	const result: AgentResult = {
		answer: redactJson(run.answer, secrets),
		stopReason: run.stopReason,
		iterations: run.iterations,
		toolCalls: redactJson(run.toolCalls, secrets),
		usage: run.usage,
		citations: redactJson(cited.citations, secrets),
		trace: redactJson(run.trace, secrets),
		turn: redactJson(run.turn, secrets),
	};
	if (run.structured) {
		if (run.structured.ok) result.data = redactJson(run.structured.value, secrets);
		else result.dataErrors = redactJson(run.structured.errors, secrets);
	}
	if (run.requireCitations) result.unverifiedCitations = redactJson(cited.unverifiedCitations, secrets);
	return result;
}
