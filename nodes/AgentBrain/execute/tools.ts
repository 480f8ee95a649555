// The tools one item's run gets: the built-ins the user turned on (web, date and time, memory), then the tool sub-nodes on the Tool input.
import { NodeConnectionTypes, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { OpenAiEmbedder } from '../../VectorMemory/embeddings';
import { embeddingInputEmbedder } from '../../VectorMemory/execute/embeddingInput';
import { VectorMemory, checkNamespace } from '../../VectorMemory/memory';
import { BUILT_IN_TOOLS, MEMORY_TOOLS } from '../description';
import { recallTool, rememberTool } from '../engine/memoryTools';
import { deepResearchTool } from '../engine/researchTool';
import { dateTimeTool, webExtractTool, webSearchTool } from '../engine/tools';
import { engineRunTool, toolsOfNodes } from './connectedTools';
import type { AgentTool } from '../engine/types';
import type { ExecutionResources } from './resources';

async function webTools(builtIns: string[], itemIndex: number, resources: ExecutionResources): Promise<AgentTool[]> {
	const search = builtIns.includes(BUILT_IN_TOOLS.webSearch);
	const extract = builtIns.includes(BUILT_IN_TOOLS.webExtract);
	const research = builtIns.includes(BUILT_IN_TOOLS.deepResearch);
	if (!search && !extract && !research) return [];
	const tavily = await resources.tavily(itemIndex);
	return [...(search ? [webSearchTool(tavily)] : []), ...(extract ? [webExtractTool(tavily)] : []), ...(research ? [deepResearchTool(tavily)] : [])];
}

function isValidNamespace(namespace: string): boolean {
	try {
		checkNamespace(namespace);
		return true;
	} catch {
		return false;
	}
}

async function memoryTools(ctx: IExecuteFunctions, builtIns: string[], itemIndex: number, resources: ExecutionResources): Promise<AgentTool[]> {
	if (!builtIns.some((tool) => MEMORY_TOOLS.includes(tool))) return [];
	const namespace = String(ctx.getNodeParameter('namespace', itemIndex, 'default') ?? '').trim();
	// A wrong namespace is the user's to fix, not the model's: fail before any model call.
	if (!isValidNamespace(namespace)) {
		throw new NodeOperationError(ctx.getNode(), `The Memory Namespace "${namespace}" is not a valid namespace`, {
			description: 'Use 1 to 63 letters, digits, "_" or "-", starting with a letter or digit, e.g. "support-faq".',
			itemIndex,
		});
	}
	const store = await resources.memoryStore();
	const { apiKey, baseUrl, organization, extraHeaders } = resources.connection;
	const dimensions = ctx.getNodeParameter('dimensions', itemIndex, 0) as number;
	const embedder = (await embeddingInputEmbedder(ctx)) ?? new OpenAiEmbedder({
		apiKey,
		baseUrl,
		organization,
		headers: extraHeaders,
		model: String(ctx.getNodeParameter('embeddingModel', itemIndex, 'text-embedding-3-small')),
		dimensions: dimensions > 0 ? dimensions : undefined,
		transport: resources.transport,
	});
	const memory = new VectorMemory(store, embedder);
	return [
		...(builtIns.includes(BUILT_IN_TOOLS.recallMemory) ? [recallTool(memory, namespace)] : []),
		...(builtIns.includes(BUILT_IN_TOOLS.saveMemory) ? [rememberTool(memory, namespace)] : []),
	];
}

async function connectedTools(ctx: IExecuteFunctions, itemIndex: number, resources: ExecutionResources): Promise<AgentTool[]> {
	if (!resources.hasToolInput) return [];
	const connected = await ctx.getInputConnectionData(NodeConnectionTypes.AiTool, itemIndex);
	return toolsOfNodes(ctx, connected).map(engineRunTool);
}

/** The item's tools, in the order the model is offered them: web, date and time, memory, connected. */
export async function assembleTools(ctx: IExecuteFunctions, builtIns: string[], itemIndex: number, resources: ExecutionResources): Promise<AgentTool[]> {
	const tools = await webTools(builtIns, itemIndex, resources);
	if (builtIns.includes(BUILT_IN_TOOLS.currentDateTime)) tools.push(dateTimeTool());
	tools.push(...(await memoryTools(ctx, builtIns, itemIndex, resources)));
	tools.push(...(await connectedTools(ctx, itemIndex, resources)));
	return tools;
}
