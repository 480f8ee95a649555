// One item's settings: the task, the model, the session and the options collection, read and checked before any model call.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { DEFAULT_MEMORY_TURNS, DEFAULT_TIMEOUT_SECONDS } from '../engine/defaults';
import { schemaProblems } from '../engine/schema';
import type { JsonSchema } from '../engine/types';

/** The "Options" collection as n8n gives it: only the options the user added. */
interface AgentBrainOptions {
	/** Read once per execution, by execute/items.ts. */
	itemsInParallel?: number;
	maxIterations?: number;
	maxTokens?: number;
	memoryTurns?: number;
	outputSchema?: string | IDataObject;
	requireCitations?: boolean;
	temperature?: number;
	timeoutSeconds?: number;
	timeoutCountsApprovalWait?: boolean;
	tokenBudget?: number;
	traceMarkdown?: boolean;
}

export interface ItemSettings {
	task: string;
	systemMessage: string;
	model: string;
	/** Blank: no conversation memory. */
	sessionId: string;
	builtInTools: string[];
	maxIterations?: number;
	maxTokens?: number;
	temperature?: number;
	memoryTurns: number;
	timeoutMs: number;
	/** Whether the time a connected approval tool waits for a person counts against the time limit. */
	timeoutCountsApprovalWait: boolean;
	tokenBudget?: number;
	requireCitations?: boolean;
	outputSchema?: JsonSchema;
	traceMarkdown: boolean;
}

/** The Output JSON Schema option as a schema object; refused, naming the option, when it is not JSON or cannot be met. */
function parseOutputSchema(ctx: IExecuteFunctions, value: AgentBrainOptions['outputSchema'], itemIndex: number): JsonSchema | undefined {
	if (value === undefined || value === '') return undefined;
	const refuse = (message: string, description: string) => new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
	const example = 'Write a JSON Schema object, e.g. {"type": "object", "properties": {"answer": {"type": "string"}}}.';
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw refuse(`Output JSON Schema is not valid JSON: ${(error as Error).message}`, example);
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw refuse('Output JSON Schema must be a JSON object', example);
	const problems = schemaProblems(parsed as JsonSchema);
	if (problems.length > 0) {
		throw refuse(
			`Output JSON Schema cannot be satisfied: ${problems[0]}`,
			'Make every "$ref" point at a definition that describes a value (e.g. "#/$defs/item"), not back at itself.',
		);
	}
	return parsed as JsonSchema;
}

export function readItemSettings(ctx: IExecuteFunctions, itemIndex: number): ItemSettings {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as AgentBrainOptions;
	return {
		task: String(ctx.getNodeParameter('task', itemIndex, '') ?? ''),
		systemMessage: ctx.getNodeParameter('systemMessage', itemIndex, '') as string,
		model: String(ctx.getNodeParameter('model', itemIndex)),
		sessionId: String(ctx.getNodeParameter('sessionId', itemIndex, '') ?? '').trim(),
		builtInTools: ctx.getNodeParameter('builtInTools', itemIndex, []) as string[],
		maxIterations: options.maxIterations,
		maxTokens: options.maxTokens,
		temperature: options.temperature,
		memoryTurns: options.memoryTurns ?? DEFAULT_MEMORY_TURNS,
		timeoutMs: (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
		timeoutCountsApprovalWait: options.timeoutCountsApprovalWait === true,
		tokenBudget: options.tokenBudget,
		requireCitations: options.requireCitations,
		outputSchema: parseOutputSchema(ctx, options.outputSchema, itemIndex),
		traceMarkdown: options.traceMarkdown === true,
	};
}
