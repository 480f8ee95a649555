// The tool sub-nodes on the Tool input as the agent's tools: each knows its node, so that n8n's engine runs its calls; a tool behind an approval node runs only once a person approves.
import { NodeConnectionTypes, type IExecuteFunctions } from 'n8n-workflow';
import { AgenticError } from '../../shared/errors';
import { toolSchemaToJsonSchema } from '../engine/schema';
import { flattenTools, fromInvokableTool, type InvokableTool } from '../engine/tools';
import type { AgentTool, JsonSchema } from '../engine/types';
import type { ToolRoute } from './engineTools';

/** What n8n puts in a connected tool's metadata: its node, and for an approval node's stand-in, the tool it guards. */
interface ToolMetadata {
	sourceNodeName?: unknown;
	gatedToolNodeName?: unknown;
	originalSchema?: unknown;
}

export interface NodeTool {
	tool: InvokableTool & { metadata?: ToolMetadata };
	/** The tool's node; unknown only where n8n names neither the tool's node nor the Tool input's nodes. */
	nodeName?: string;
	/** One of several tools a node supplies (an MCP client, an approval node). */
	fromToolkit: boolean;
}

const named = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * The connected tools with their nodes. n8n 2 names each tool's node in its metadata; n8n 1 does not, and then, as
 * n8n's AI Agent does, the node is the Tool input's connection in the same place.
 */
export function toolsOfNodes(ctx: IExecuteFunctions, connected: unknown): NodeTool[] {
	const parents = typeof ctx.getParentNodes === 'function' ? ctx.getParentNodes(ctx.getNode().name, { connectionType: NodeConnectionTypes.AiTool, depth: 1 }).filter((node) => !node.disabled) : [];
	const entries = Array.isArray(connected) ? connected : connected ? [connected] : [];
	return entries.flatMap((entry: unknown, index) => {
		const single = typeof (entry as Partial<InvokableTool> | undefined)?.invoke === 'function';
		return flattenTools(entry).map((tool: NodeTool['tool']) => ({ tool, fromToolkit: !single, nodeName: named(tool.metadata?.sourceNodeName) ?? parents[index]?.name }));
	});
}

function hasProperties(schema: unknown): boolean {
	const properties = (schema as JsonSchema | undefined)?.properties;
	return typeof properties === 'object' && properties !== null && Object.keys(properties).length > 0;
}

/** An approval node's stand-in without a node to run it: it must not answer '' as if the tool had run. */
function refusingTool(base: AgentTool, gatedNode: string): AgentTool {
	return {
		...base,
		async run() {
			throw new AgenticError('invalid_input', `"${gatedNode}" needs a person's approval, which n8n can ask only when it runs the tool itself`, {
				description: 'Run the workflow in n8n 1.123 or later, where the engine runs the tools of Agent Brain.',
			});
		},
	};
}

/**
 * The agent's tool for a connected one. A tool behind an approval node is offered with its own parameters (the model
 * need not know a person approves it), unless the approval node asks the model for parameters of its own.
 */
export function engineRunTool({ tool, nodeName, fromToolkit }: NodeTool): AgentTool {
	const base = fromInvokableTool(tool);
	const gatedNodeName = named(tool.metadata?.gatedToolNodeName);
	if (!nodeName) return gatedNodeName ? refusingTool(base, gatedNodeName) : base;
	if (!gatedNodeName) {
		const route: ToolRoute = { nodeName, toolName: tool.name, fromToolkit };
		return { ...base, handOver: { ...route } };
	}
	const wrapped = hasProperties((base.parameters.properties as Record<string, unknown> | undefined)?.hitlParameters);
	const route: ToolRoute = { nodeName, toolName: tool.name, fromToolkit: true, gatedNodeName, wrapped };
	const parameters = wrapped ? base.parameters : toolSchemaToJsonSchema(tool.metadata?.originalSchema);
	return { ...base, parameters, handOver: { ...route } };
}
