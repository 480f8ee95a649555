// Connected tools run by n8n's workflow engine, as n8n's AI Agent runs them: each call is a run of its tool node in the execution (input and output in the log), and a tool behind an approval node (n8n's "send and wait" tools) runs only once a person approves it.
import { NodeConnectionTypes, type EngineRequest, type EngineResponse, type IDataObject } from 'n8n-workflow';
import type { OutsideCall, OutsideResult, ToolApproval } from '../engine/types';

/** Where the calls of a connected tool go (an AgentTool's `handOver`). */
export interface ToolRoute {
	/** The node the engine runs: the tool's, or the approval node in front of it. */
	nodeName: string;
	/** The tool's own name: a toolkit node (an MCP client, an approval node) is told which of its tools is called. */
	toolName: string;
	fromToolkit: boolean;
	/** Set when a person must approve each call: the tool node that runs once they have. */
	gatedNodeName?: string;
	/** The model fills the approval node's own parameters too: its arguments are `{toolParameters, hitlParameters}`. */
	wrapped?: boolean;
}

/** What Agent Brain puts in an action's metadata; `hitl` is what n8n's AI Agent puts there for an approval. */
export interface ActionMetadata {
	itemIndex: number;
	toolName: string;
	/** The call already has a person's answer: this run is the approved tool. */
	approval?: ToolApproval;
	/** The engine shows the approved tool's run under the approval node's. */
	parentNodeName?: string;
	hitl?: { gatedToolNodeName: string; toolName: string; originalInput: IDataObject };
}

export type ToolAction = EngineRequest<ActionMetadata>['actions'][number];

function asRoute(handOver: Record<string, unknown>): ToolRoute {
	return handOver as unknown as ToolRoute;
}

/** The engine action that runs one handed-over call, shaped as n8n's AI Agent shapes it. */
export function actionFor(call: OutsideCall, itemIndex: number): ToolAction {
	const route = asRoute(call.handOver);
	const metadata: ActionMetadata = { itemIndex, toolName: call.name };
	let input: IDataObject = call.arguments as IDataObject;
	if (route.gatedNodeName) {
		const toolParameters = ((route.wrapped ? call.arguments.toolParameters : call.arguments) ?? {}) as IDataObject;
		const hitlParameters = (route.wrapped ? call.arguments.hitlParameters : undefined) as IDataObject | undefined;
		// The approval message reads `$tool.name` and `$tool.parameters` from these.
		input = { ...hitlParameters, toolParameters, tool: route.toolName };
		metadata.hitl = { gatedToolNodeName: route.gatedNodeName, toolName: route.toolName, originalInput: toolParameters };
	} else if (route.fromToolkit) input = { ...input, tool: route.toolName };
	return { actionType: 'ExecutionNodeAction', nodeName: route.nodeName, input, type: NodeConnectionTypes.AiTool, id: call.id, metadata };
}

type ActionResponse = EngineResponse<ActionMetadata>['actionResponses'][number];

function outputItems(response: ActionResponse): IDataObject[] | undefined {
	const items = response.data?.data?.[NodeConnectionTypes.AiTool]?.[0];
	return Array.isArray(items) ? items.map((item) => item?.json ?? {}) : undefined;
}

/** What the tool node returned, as the model would have seen it from the tool in-process. */
function observationOf(items: IDataObject[]): string {
	// n8n's tool nodes (Code Tool, HTTP Request Tool, …) answer `{response}` when run by the engine.
	if (items.length === 1 && Object.keys(items[0]).length === 1 && 'response' in items[0]) {
		const response = items[0].response;
		return typeof response === 'string' ? response : JSON.stringify(response);
	}
	return JSON.stringify(items);
}

function approvalOf(json: IDataObject | undefined): boolean | undefined {
	if (typeof json?.approved === 'boolean') return json.approved;
	const data = json?.data as IDataObject | undefined;
	return typeof data?.approved === 'boolean' ? data.approved : undefined;
}

function reviewerNote(json: IDataObject | undefined): string | undefined {
	const note = json?.chatInput ?? (json?.data as IDataObject | undefined)?.chatInput;
	return typeof note === 'string' && note.trim() ? note.trim() : undefined;
}

/** What the model is told when the person did not approve, so that it changes course instead of assuming the call ran. */
function notApproved(toolName: string, approval: 'declined' | 'no_answer', note?: string): string {
	const what = approval === 'declined' ? `The reviewer declined this call of ${toolName}, so it was not run.` : `No one approved this call of ${toolName} before the wait ended, so it was not run.`;
	const said = note ? ` Their note: "${note}".` : '';
	return `${what}${said} Do not call it again unchanged: change course, or give your answer without it.`;
}

/** A response to one action: the call's result, or (an approved call) the action that runs the approved tool. */
export type ActionOutcome = { result: OutsideResult } | { next: ToolAction };

export function outcomeOfResponse(response: ActionResponse): ActionOutcome {
	const { action } = response;
	const { metadata } = action;
	const items = outputItems(response);
	const first = items?.[0];
	const failed = items?.length === 1 && Object.keys(first!).length === 1 && typeof first!.error === 'string' ? String(first!.error) : undefined;
	if (metadata.hitl && !metadata.approval) {
		// The approval node itself failed (say, its message could not be sent): no one was asked.
		if (failed !== undefined) return { result: { id: action.id, problem: `asking for approval of ${metadata.toolName} failed: ${failed}` } };
		const approved = approvalOf(first);
		if (approved === true) {
			const { gatedToolNodeName, toolName, originalInput } = metadata.hitl;
			const next: ToolAction = {
				actionType: 'ExecutionNodeAction',
				nodeName: gatedToolNodeName,
				input: { tool: toolName, ...originalInput },
				type: NodeConnectionTypes.AiTool,
				id: action.id,
				metadata: { itemIndex: metadata.itemIndex, toolName: metadata.toolName, approval: 'approved', parentNodeName: action.nodeName },
			};
			return { next };
		}
		const approval = approved === false ? 'declined' : 'no_answer';
		return { result: { id: action.id, approval, observation: notApproved(metadata.toolName, approval, reviewerNote(first)) } };
	}
	const approval = metadata.approval ? { approval: metadata.approval } : {};
	const failure = items === undefined ? response.data?.error?.message ?? 'returned no result' : undefined;
	if (failure !== undefined) return { result: { id: action.id, ...approval, problem: `${metadata.toolName} failed: ${failure}` } };
	// The engine turns a tool node's failure into `{error}` so that the agent can go on.
	if (failed !== undefined) return { result: { id: action.id, ...approval, problem: `${metadata.toolName} failed: ${failed}` } };
	return { result: { id: action.id, ...approval, observation: observationOf(items!) } };
}

/** Whether a request asks a person (its pause then does not count against the time limit, unless the user says so). */
export function asksApproval(actions: ToolAction[]): boolean {
	return actions.some((action) => action.metadata.hitl !== undefined && !action.metadata.approval);
}
