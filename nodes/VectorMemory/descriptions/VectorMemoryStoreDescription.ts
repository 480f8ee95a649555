// The Vector Memory Store node's description: its two modes (a vector store for n8n's chains, a tool for n8n's AI Agent),
// the Vector Memory fields it shares, and its credentials.
import { NodeConnectionTypes, type INodeCredentialDescription, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import { backendCredentialDescriptions } from '../backends';
import { DEFAULT_TOP_K, MAX_TOP_K } from '../defaults';
import { backendField, commonFields, embeddingFields, embeddingInput, filterField } from './VectorMemoryDescription';

const asTool = { show: { mode: ['retrieve-as-tool'] } };
/** The Vector Memory fields as they are, but shown in both modes: they are not tied to one operation here. */
const inEveryMode = (field: INodeProperties): INodeProperties => {
	const { displayOptions, ...rest } = field;
	const show = { ...displayOptions?.show };
	delete show.operation;
	return Object.keys(show).length ? { ...rest, displayOptions: { show } } : rest;
};

export const modeField: INodeProperties = {
	displayName: 'Operation Mode',
	name: 'mode',
	type: 'options',
	noDataExpression: true,
	default: 'retrieve',
	options: [
		{
			name: 'Retrieve Documents (as Vector Store for Chain/Tool)',
			value: 'retrieve',
			description: "Connect to n8n's Vector Store Retriever, Question and Answer Chain or Vector Store Question Answer Tool",
		},
		{
			name: 'Retrieve Documents (as Tool for AI Agent)',
			value: 'retrieve-as-tool',
			description: "Connect to n8n's AI Agent as a tool that finds the stored texts closest to its query",
		},
	],
};

const toolFields: INodeProperties[] = [
	{
		displayName: 'Tool Name',
		name: 'toolName',
		type: 'string',
		default: 'vector_memory',
		required: true,
		placeholder: 'e.g. company_knowledge_base',
		description: 'Name the AI Agent calls the tool by: letters, digits, "_" and "-"',
		displayOptions: asTool,
	},
	{
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		default: 'Finds the stored texts closest in meaning to a query, with their metadata',
		required: true,
		typeOptions: { rows: 2 },
		description: 'Tells the AI Agent what the tool holds and when to use it; a specific description makes it choose well',
		displayOptions: asTool,
	},
	{
		displayName: 'Limit',
		name: 'topK',
		type: 'number',
		default: DEFAULT_TOP_K,
		typeOptions: { minValue: 1, maxValue: MAX_TOP_K },
		description: 'How many of the closest texts the tool returns',
		displayOptions: asTool,
	},
];

export const vectorMemoryStoreDescriptionLiteral = {
	name: 'vectorMemoryStore',
	group: ['transform'],
	version: 1,
	description: "Vector Memory as a vector store for n8n's AI nodes: the Question and Answer Chain, the Vector Store Retriever, and the AI Agent",
	defaults: { name: 'Vector Memory Store' },
	inputs: [embeddingInput],
	outputs: `={{ $parameter.mode === 'retrieve-as-tool' ? [{ displayName: 'Tool', type: '${NodeConnectionTypes.AiTool}' }] : [{ displayName: 'Vector Store', type: '${NodeConnectionTypes.AiVectorStore}' }] }}`,
	properties: [modeField, ...toolFields, backendField, ...commonFields, { ...inEveryMode(filterField), description: `${filterField.description} A chain's own filter is added to it.` }, ...embeddingFields.map(inEveryMode)],
} satisfies Omit<INodeTypeDescription, 'displayName' | 'icon' | 'subtitle' | 'credentials'>;

/** The embeddings credential (not needed with an Embeddings sub-node), then each backend's credential. */
export const vectorMemoryStoreCredentials: INodeCredentialDescription[] = [{ name: 'openAiCompatibleAgenticApi', required: false }, ...backendCredentialDescriptions()];
