// The tool runner (LangGraph's ToolNode.runTool is the model): runs one tool call; what the model can fix comes back as a message, what only the user can fix as an escalation.
import { AgenticError } from '../../shared/errors';
import { extractUrls } from './citations';
import { raceAbort, type RunClock } from './runClock';
import { repeatedCallProblem } from './repeatGuard';
import { isPlainObject, validateJsonSchema } from './schema';
import { traceEntryOf } from './trace';
import { uniqueToolNames } from './tools';
import type { AgentTool, ChatMessage, OutsideCall, OutsideResult, ToolApproval, ToolCallRecord, ToolCallRequest, ToolDefinition, TraceEntry } from './types';

/** Characters of a tool's observation kept in its record. */
const SUMMARY_CHARS = 200;

/** The tools of one run, by the names the model sees. */
export interface Toolbox {
	tools: AgentTool[];
	byName: Map<string, AgentTool>;
	definitions: ToolDefinition[];
}

export function toolboxOf(tools: AgentTool[]): Toolbox {
	const named = uniqueToolNames(tools);
	return {
		tools: named,
		byName: new Map(named.map((tool) => [tool.name, tool])),
		definitions: named.map(({ name, description, parameters }) => ({ name, description, parameters })),
	};
}

export interface ToolCallContext {
	iteration: number;
	/** The repeat guard refused the call: it is not run, and the model is told why. */
	repeated: boolean;
	clock: RunClock;
}

export interface ToolCallOutcome {
	/** What the model is told. */
	message: Extract<ChatMessage, { role: 'tool' }>;
	record: ToolCallRecord;
	entry: TraceEntry;
	/** URLs the tool returned: the sources an answer may cite. */
	urls: string[];
	/** A failure only the user can fix (the service refused its credential): the run stops with it. */
	escalation?: AgenticError;
}

function errorText(error: unknown): string {
	if (error instanceof Error) return error.message || error.name;
	if (typeof error === 'string') return error;
	try {
		return JSON.stringify(error);
	} catch {
		return String(error);
	}
}

function observationOf(result: unknown): string {
	if (typeof result === 'string') return result;
	if (result === undefined) return '';
	try {
		return JSON.stringify(result) ?? String(result);
	} catch {
		return String(result);
	}
}

type ParsedArguments = { ok: true; value: unknown } | { ok: false; text: string; problem: string };

function parseArguments(text: string): ParsedArguments {
	try {
		return { ok: true, value: text.trim() === '' ? {} : JSON.parse(text) };
	} catch (error) {
		return { ok: false, text, problem: `the arguments are not valid JSON (${errorText(error)})` };
	}
}

type CheckedCall = { problem: string } | { tool: AgentTool; args: Record<string, unknown> };

/** The tool and its arguments, or why the call cannot run as asked, in words the model can act on. */
function checkCall(name: string, args: ParsedArguments, toolbox: Toolbox): CheckedCall {
	const tool = toolbox.byName.get(name);
	if (!tool) return { problem: `there is no tool named "${name}". The tools are: ${toolbox.tools.map((t) => t.name).join(', ') || 'none'}` };
	if (!args.ok) return { problem: `${args.problem}; call ${name} again with a JSON object as arguments` };
	if (!isPlainObject(args.value)) return { problem: `the arguments of ${name} must be a JSON object` };
	const problems = validateJsonSchema(args.value, tool.parameters);
	return problems.length > 0 ? { problem: `invalid arguments for ${name}: ${problems.join('; ')}` } : { tool, args: args.value };
}

type Invocation = { observation: string } | { problem: string; escalation?: AgenticError };

async function invoke(tool: AgentTool, args: Record<string, unknown>, clock: RunClock): Promise<Invocation> {
	try {
		return { observation: observationOf(await raceAbort(tool.run(args, { signal: clock.signal }), clock.signal)) };
	} catch (error) {
		const problem = clock.timedOut() ? `${tool.name} did not finish before the time limit` : `${tool.name} failed: ${errorText(error)}`;
		// A refused credential is the user's to fix, not the model's: the run stops and names it.
		return { problem, escalation: error instanceof AgenticError && error.kind === 'auth' ? error : undefined };
	}
}

interface CallOutcomeParts {
	call: ToolCallRequest;
	args: ParsedArguments;
	invocation: Invocation;
	context: { iteration: number; repeated: boolean };
	ms: number;
	approval?: ToolApproval;
}

/** What the model is told of a call, its record and trace entry, whether it ran here or outside. */
function outcomeOf({ call, args, invocation, context, ms, approval }: CallOutcomeParts): ToolCallOutcome {
	const failure = 'problem' in invocation ? invocation.problem : undefined;
	const content = 'problem' in invocation ? `Error: ${invocation.problem}\nPlease fix your mistakes.` : invocation.observation;
	const record: ToolCallRecord = {
		name: call.function.name,
		arguments: args.ok ? args.value : args.text,
		resultSummary: Array.from(content).slice(0, SUMMARY_CHARS).join(''),
		ms,
		iteration: context.iteration,
	};
	if (failure) record.error = failure;
	if (context.repeated) record.repeated = true;
	if (approval) record.approval = approval;
	const message: ToolCallOutcome['message'] = { role: 'tool', tool_call_id: call.id, content };
	const entry = traceEntryOf(message, context.iteration, 'tool');
	entry.ms = ms;
	const escalation = 'escalation' in invocation ? invocation.escalation : undefined;
	return { message, record, entry, urls: failure === undefined ? extractUrls(content) : [], escalation };
}

/** Runs one call. Never throws: every failure is in the outcome. */
export async function runToolCall(call: ToolCallRequest, toolbox: Toolbox, context: ToolCallContext): Promise<ToolCallOutcome> {
	const started = performance.now();
	const args = parseArguments(call.function.arguments);
	const checked = context.repeated ? { problem: repeatedCallProblem(call.function.name) } : checkCall(call.function.name, args, toolbox);
	const invocation: Invocation = 'problem' in checked ? checked : await invoke(checked.tool, checked.args, context.clock);
	return outcomeOf({ call, args, invocation, context, ms: performance.now() - started });
}

/** A call to run now, or one to hand to the caller: a valid call of a tool with `handOver`. */
export type StartedCall = { outcome: ToolCallOutcome } | { outside: OutsideCall };

/** Runs one call here, or checks it and hands it over when the caller runs its tool; a call that cannot run is answered at once. */
export async function startToolCall(call: ToolCallRequest, toolbox: Toolbox, context: ToolCallContext): Promise<StartedCall> {
	const handOver = context.repeated ? undefined : toolbox.byName.get(call.function.name)?.handOver;
	if (handOver) {
		const args = parseArguments(call.function.arguments);
		const checked = checkCall(call.function.name, args, toolbox);
		if ('tool' in checked) return { outside: { id: call.id, name: checked.tool.name, arguments: checked.args, handOver } };
		return { outcome: outcomeOf({ call, args, invocation: checked, context, ms: 0 }) };
	}
	return { outcome: await runToolCall(call, toolbox, context) };
}

/** The outcome of a call the caller ran; `ms` is how long it was out. */
export function finishOutsideCall(call: ToolCallRequest, result: OutsideResult, iteration: number, ms: number): ToolCallOutcome {
	const invocation: Invocation = 'problem' in result ? { problem: result.problem } : { observation: result.observation };
	return outcomeOf({ call, args: parseArguments(call.function.arguments), invocation, context: { iteration, repeated: false }, ms, approval: result.approval });
}
