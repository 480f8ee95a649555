// The Vector Memory node's description: its parameters, each shown only for the backend or operation it applies to, and its credentials.
import { NodeConnectionTypes, type INodeCredentialDescription, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import { backendCredentialsWithTests, backendFields, backendOptions } from '../backends';
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, DEFAULT_TOP_K, MAX_TOP_K } from '../defaults';

const forOperations = (...operation: string[]) => ({ show: { operation } });

export const backendField: INodeProperties = {
	displayName: 'Backend',
	name: 'backend',
	type: 'options',
	noDataExpression: true,
	default: 'embedded',
	description: 'Where the memory lives',
	options: backendOptions,
};

export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'query',
	options: [
		{ name: 'Clear', value: 'clear', action: 'Clear a namespace', description: 'Remove everything stored in the namespace' },
		{ name: 'Delete', value: 'delete', action: 'Delete texts by ID or filter', description: 'Remove stored texts by their IDs or a metadata filter' },
		{ name: 'Insert or Update', value: 'insert', action: 'Insert or update texts', description: 'Embed texts from the input items and store them; the same text again updates it' },
		{ name: 'Query', value: 'query', action: 'Find texts similar to a question', description: 'Return the stored texts closest in meaning to a question' },
		{ name: 'Stats', value: 'stats', action: 'Count what a namespace holds', description: 'Return how many texts the namespace holds and their vector size' },
	],
};

/** The namespace, then the chosen backend's own fields (Agent Brain picks its memory settings from here by name). */
export const commonFields: INodeProperties[] = [
	{
		displayName: 'Namespace',
		name: 'namespace',
		type: 'string',
		default: 'default',
		description: 'Separate memories live in separate namespaces (a collection in Chroma and Qdrant, a namespace in Pinecone). Letters, digits, "_" and "-".',
	},
	...backendFields,
];

export const insertFields: INodeProperties[] = [
	{
		displayName: 'Text Field',
		name: 'textField',
		type: 'string',
		default: 'text',
		required: true,
		description: 'Name of the input item field holding the text to remember (dots reach nested fields, e.g. "email.body")',
		displayOptions: forOperations('insert'),
	},
	{
		displayName: 'Metadata Fields',
		name: 'metadataFields',
		type: 'string',
		default: '',
		placeholder: 'source, author, year',
		description: 'Comma-separated item fields to store with the text and filter on later. Empty stores every other top-level field.',
		displayOptions: forOperations('insert'),
	},
	{
		displayName: 'ID Field',
		name: 'idField',
		type: 'string',
		default: '',
		description: 'Item field holding your own ID for the text, so a new version replaces the old one. Empty derives the ID from the text itself.',
		displayOptions: forOperations('insert'),
	},
	{
		displayName: 'Chunk Size',
		name: 'chunkSize',
		type: 'number',
		default: DEFAULT_CHUNK_SIZE,
		typeOptions: { minValue: 50 },
		description: 'Longer texts are split into pieces of at most this many characters, each stored and found on its own',
		displayOptions: forOperations('insert'),
	},
	{
		displayName: 'Chunk Overlap',
		name: 'chunkOverlap',
		type: 'number',
		default: DEFAULT_CHUNK_OVERLAP,
		typeOptions: { minValue: 0 },
		description: 'Characters repeated between neighbouring pieces, so a sentence cut in two is still found',
		displayOptions: forOperations('insert'),
	},
];

export const queryFields: INodeProperties[] = [
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		description: 'The question or text to find similar stored texts for',
		displayOptions: forOperations('query'),
	},
	{
		displayName: 'Top K',
		name: 'topK',
		type: 'number',
		default: DEFAULT_TOP_K,
		typeOptions: { minValue: 1, maxValue: MAX_TOP_K },
		description: 'How many of the closest texts to return',
		displayOptions: forOperations('query'),
	},
	{
		displayName: 'Min Score',
		name: 'minScore',
		type: 'number',
		default: 0,
		typeOptions: { numberPrecision: 3 },
		description: 'Leave out texts scoring below this (cosine similarity: 1 is identical, 0 unrelated)',
		displayOptions: forOperations('query'),
	},
];

export const filterField: INodeProperties = {
	displayName: 'Metadata Filter',
	name: 'filter',
	type: 'json',
	default: '{}',
	description:
		'Only texts whose metadata matches, as JSON: {"source": "faq"} for equality, {"lang": {"$in": ["en", "fr"]}}, {"year": {"$gte": 2020, "$lt": 2025}}. All conditions must hold.',
	displayOptions: forOperations('query', 'delete'),
};

export const deleteFields: INodeProperties[] = [
	{
		displayName: 'IDs',
		name: 'ids',
		type: 'string',
		default: '',
		description: 'Comma-separated IDs to delete (as returned by Insert or Query). With a filter too, both sets are deleted.',
		displayOptions: forOperations('delete'),
	},
];

export const embeddingFields: INodeProperties[] = [
	{
		displayName: 'Embedding Model',
		name: 'model',
		type: 'string',
		default: 'text-embedding-3-small',
		description: 'Embedding model served by the OpenAI-Compatible API, used when no Embeddings sub-node is connected. A namespace must always use the same model.',
		displayOptions: forOperations('insert', 'query'),
	},
	{
		displayName: 'Dimensions',
		name: 'dimensions',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Shorter vectors from models that support it (text-embedding-3-*), when no Embeddings sub-node is connected; 0 keeps the model\'s own size',
		displayOptions: forOperations('insert', 'query'),
	},
];

/** Optional: when an Embeddings sub-node is connected, it embeds texts and questions instead of the credential's API. */
export const embeddingInput = { displayName: 'Embedding', type: NodeConnectionTypes.AiEmbedding, required: false, maxConnections: 1 } as const;

/** Backends other than the embedded one, by label, for the node's description. */
const databases = backendOptions.filter((option) => option.value !== 'embedded').map((option) => option.name);

/**
 * The node's description but for its display name, icon, subtitle, tool use and credentials, which the node class writes
 * itself: n8n's lint reads those from the class, and would take an object with display name, name and group here for a
 * node file of its own.
 */
export const vectorMemoryDescriptionLiteral = {
	name: 'vectorMemory',
	group: ['transform'],
	version: 1,
	description: `Long-term memory for agents and workflows: store texts as embeddings and find the ones closest in meaning to a question. Embedded on disk by default, or in ${databases.slice(0, -1).join(', ')} or ${databases.at(-1)}.`,
	defaults: { name: 'Vector Memory' },
	inputs: [NodeConnectionTypes.Main, embeddingInput],
	outputs: [NodeConnectionTypes.Main],
	properties: [backendField, operationField, ...commonFields, ...insertFields, ...queryFields, filterField, ...deleteFields, ...embeddingFields],
} satisfies Omit<INodeTypeDescription, 'displayName' | 'icon' | 'subtitle' | 'usableAsTool' | 'credentials'>;

/** The embeddings credential for the operations that embed (not needed with an Embeddings sub-node), then each backend's credential with its test. */
export const vectorMemoryCredentials: INodeCredentialDescription[] = [
	{ name: 'openAiCompatibleAgenticApi', required: false, displayOptions: forOperations('insert', 'query') },
	...backendCredentialsWithTests,
];
