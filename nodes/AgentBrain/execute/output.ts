// The item a run becomes: the answer and what led to it, as JSON, with the trace when the node is used on the canvas.
import type { IDataObject } from 'n8n-workflow';
import { traceToMarkdown } from '../engine/trace';
import type { AgentResult } from '../engine/types';

export type TraceOutput = 'none' | 'json' | 'json+markdown';

export function resultToJson(result: AgentResult, trace: TraceOutput, sessionId: string): IDataObject {
	const json: IDataObject = {
		answer: result.answer,
		stopReason: result.stopReason,
		iterations: result.iterations,
		toolCalls: result.toolCalls as unknown as IDataObject[],
		usage: result.usage as unknown as IDataObject,
		citations: result.citations,
	};
	if (result.unverifiedCitations) json.unverifiedCitations = result.unverifiedCitations;
	if ('data' in result) json.data = result.data as IDataObject;
	if (result.dataErrors) json.dataErrors = result.dataErrors;
	if (sessionId) json.sessionId = sessionId;
	if (trace !== 'none') json.trace = result.trace as unknown as IDataObject[];
	if (trace === 'json+markdown') json.traceMarkdown = traceToMarkdown(result.trace);
	return json;
}
