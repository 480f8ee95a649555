// What the Vector Memory Store node supplies: a LangChain vector store or tool over one namespace, and the tool's runs.
import { NodeConnectionTypes, NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type ISupplyDataFunctions, type SupplyData } from 'n8n-workflow';
import { toNodeError } from '../../shared/nodeErrors';
import { createBackend, type BackendName } from '../backends';
import { DEFAULT_TOP_K } from '../defaults';
import { validateFilter } from '../filter';
import { langChainRetrievalTool, langChainVectorStore, resolveLangChainCore, retrieveForTool, type SearchRecorder, type StoreView, type ToolSettings } from '../langchain';
import { checkNamespace, VectorMemory } from '../memory';
import { embedderOf } from './open';
import { parseFilter } from './parameters';

type Context = IExecuteFunctions | ISupplyDataFunctions;
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The namespace of the item's parameters on the chosen backend, with the node's filter; `close` releases the backend. */
async function openView(ctx: Context, itemIndex: number, secrets: string[]): Promise<StoreView & { close: () => Promise<void> }> {
	const { store, secrets: backendSecrets } = await createBackend(ctx, ctx.getNodeParameter('backend', itemIndex) as BackendName);
	secrets.push(...backendSecrets);
	try {
		const memory = new VectorMemory(store, await embedderOf(ctx, secrets));
		const namespace = checkNamespace(ctx.getNodeParameter('namespace', itemIndex) as string);
		const filter = validateFilter(parseFilter(ctx as IExecuteFunctions, itemIndex));
		return { memory, namespace, filter, close: () => store.close() };
	} catch (error) {
		await store.close().catch(() => undefined);
		throw toNodeError(ctx, error, itemIndex, secrets);
	}
}

function toolSettings(ctx: Context, view: StoreView, itemIndex: number): ToolSettings {
	const name = ctx.getNodeParameter('toolName', itemIndex) as string;
	if (!TOOL_NAME.test(name)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid Tool Name "${name}"`, { itemIndex, description: 'Use 1 to 64 letters, digits, "_" or "-", e.g. company_knowledge_base.' });
	}
	return { ...view, name, description: ctx.getNodeParameter('toolDescription', itemIndex) as string, topK: ctx.getNodeParameter('topK', itemIndex, DEFAULT_TOP_K) as number };
}

/** Each search as a run of the node on its Vector Store output, as n8n shows its own vector stores' searches. */
function recorder(ctx: ISupplyDataFunctions, itemIndex: number, secrets: string[]): SearchRecorder {
	return async (input, search, output) => {
		const { index } = ctx.addInputData(NodeConnectionTypes.AiVectorStore, [[{ json: input as IDataObject }]]);
		try {
			const found = await search();
			ctx.addOutputData(NodeConnectionTypes.AiVectorStore, index, [[{ json: output(found) as IDataObject }]]);
			return found;
		} catch (error) {
			const nodeError = toNodeError(ctx, error, itemIndex, secrets);
			ctx.addOutputData(NodeConnectionTypes.AiVectorStore, index, nodeError);
			throw nodeError;
		}
	};
}

/** supplyData: the vector store (or tool) for the consuming node, closed with the execution. */
export async function supplyVectorMemory(ctx: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
	const secrets: string[] = [];
	try {
		const core = resolveLangChainCore();
		const view = await openView(ctx, itemIndex, secrets);
		const asTool = ctx.getNodeParameter('mode', itemIndex) === 'retrieve-as-tool';
		const response = asTool ? langChainRetrievalTool(core, toolSettings(ctx, view, itemIndex)) : langChainVectorStore(core, { ...view, record: recorder(ctx, itemIndex, secrets) });
		return { response, closeFunction: view.close };
	} catch (error) {
		throw toNodeError(ctx, error, itemIndex, secrets);
	}
}

/**
 * execute() in tool mode: n8n's AI Agent has the engine run the tool node with the model's arguments as the item
 * (`input` holds the query), and reads the texts found from `response`, as from n8n's own vector store tools.
 */
export async function runAsTool(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (ctx.getNodeParameter('mode', 0) !== 'retrieve-as-tool') {
		throw new NodeOperationError(ctx.getNode(), 'In this mode Vector Memory Store is a sub-node: connect its Vector Store output to a chain or retriever', {
			description: 'Use the Vector Memory node to insert or query texts in a workflow, or choose "Retrieve Documents (as Tool for AI Agent)".',
		});
	}
	const out: INodeExecutionData[] = [];
	for (const [itemIndex, item] of ctx.getInputData().entries()) {
		const secrets: string[] = [];
		try {
			const view = await openView(ctx, itemIndex, secrets);
			try {
				const found = await retrieveForTool(toolSettings(ctx, view, itemIndex), item.json.input);
				out.push({ json: { response: found.map((doc) => ({ type: 'text', text: JSON.stringify(doc) })) as IDataObject[] }, pairedItem: { item: itemIndex } });
			} finally {
				await view.close();
			}
		} catch (error) {
			const nodeError = toNodeError(ctx, error, itemIndex, secrets);
			if (!ctx.continueOnFail()) throw nodeError;
			out.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
		}
	}
	return [out];
}
