// The Agent Brain node's parameters and credentials (the task, the model, the built-in tools, memory and the loop's guards).
import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { DEFAULT_CONVERSATION_TABLE } from './engine/postgresConversationStore';
import { backendCredentialDescriptions } from '../VectorMemory/backends';
import { backendField, commonFields, embeddingFields } from '../VectorMemory/descriptions/VectorMemoryDescription';
import { DEFAULT_ITEMS_IN_PARALLEL, DEFAULT_MAX_ITERATIONS, DEFAULT_MEMORY_TURNS, DEFAULT_TIMEOUT_SECONDS } from './engine/defaults';

export const BUILT_IN_TOOLS = {
	currentDateTime: 'currentDateTime',
	deepResearch: 'deepResearch',
	webSearch: 'webSearch',
	webExtract: 'webExtract',
	recallMemory: 'recallMemory',
	saveMemory: 'saveMemory',
} as const;

/** The built-in tools that open a Vector Memory store; its settings show when either is on. */
export const MEMORY_TOOLS: string[] = [BUILT_IN_TOOLS.recallMemory, BUILT_IN_TOOLS.saveMemory];

const showWithMemory = (extra: Record<string, string[]> = {}) => ({ show: { builtInTools: MEMORY_TOOLS, ...extra } });

function vectorMemoryField(fields: INodeProperties[], name: string): INodeProperties {
	const field = fields.find((candidate) => candidate.name === name);
	if (!field) throw new Error(`Vector Memory has no parameter "${name}"`);
	return field;
}

/**
 * The store settings of the Vector Memory node, shown here only when a memory tool is on. The names match the
 * Vector Memory node's (so both open a store the same way), except the embedding model: "model" is the chat model here.
 */
const memoryStoreProperties: INodeProperties[] = [
	{
		...backendField,
		displayName: 'Memory Backend',
		description: 'Where the memory lives; the same stores the Vector Memory node reads and writes',
		displayOptions: showWithMemory(),
	},
	{
		...vectorMemoryField(commonFields, 'namespace'),
		displayName: 'Memory Namespace',
		description:
			'Which memory the tools use, e.g. the namespace a Vector Memory node filled. Letters, digits, "_" and "-"; an expression such as {{ $JSON.body.userId }} gives each user their own.',
		displayOptions: showWithMemory(),
	},
	{ ...vectorMemoryField(commonFields, 'tableName'), displayOptions: showWithMemory({ backend: ['pgvector'] }) },
	{ ...vectorMemoryField(commonFields, 'distance'), displayOptions: showWithMemory({ backend: ['pgvector'] }) },
	{
		...vectorMemoryField(embeddingFields, 'model'),
		name: 'embeddingModel',
		description:
			'Embedding model served by the same OpenAI-Compatible API as the chat model. Use the model (and dimensions) the namespace was filled with.',
		displayOptions: showWithMemory(),
	},
	{ ...vectorMemoryField(embeddingFields, 'dimensions'), displayOptions: showWithMemory() },
];

export const agentBrainProperties: INodeProperties[] = [
	{
		displayName: 'Task',
		name: 'task',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '={{ $json.chatInput || $json.task }}',
		description: 'What the agent should do for this item. Usually an expression, e.g. {{ $JSON.body.question }}.',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		required: true,
		default: 'gpt-4o-mini',
		description:
			'Model name as the server of the OpenAI-Compatible API credential knows it, e.g. gpt-4o-mini (OpenAI), llama3.1 (Ollama), openai/gpt-4o (OpenRouter). The model must support tool calling. Not used when a chat model is connected to the Chat Model input.',
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 4 },
		default: 'You are a helpful assistant. Use the tools when they help, and answer the task directly.',
		description: 'Instructions the model follows for every task: its role, tone, and rules',
	},
	{
		displayName: 'Built-in Tools',
		name: 'builtInTools',
		type: 'multiOptions',
		options: [
			{
				name: 'Current Date and Time',
				value: BUILT_IN_TOOLS.currentDateTime,
				description: 'Lets the model know today\'s date and the time in any time zone',
			},
			{
				name: 'Deep Research (Tavily)',
				value: BUILT_IN_TOOLS.deepResearch,
				description: 'Lets the model have Tavily research a question and return a cited report (30 s to a few minutes). Needs a Tavily credential.',
			},
			{
				name: 'Read Web Pages (Tavily)',
				value: BUILT_IN_TOOLS.webExtract,
				description: 'Lets the model read the text of web pages by URL. Needs a Tavily credential.',
			},
			{
				name: 'Recall From Memory',
				value: BUILT_IN_TOOLS.recallMemory,
				description: 'Lets the model search a Vector Memory namespace for stored texts close in meaning to a question',
			},
			{
				name: 'Save to Memory',
				value: BUILT_IN_TOOLS.saveMemory,
				description: 'Lets the model store texts (facts, notes, what the user said) in a Vector Memory namespace for later runs',
			},
			{
				name: 'Web Search (Tavily)',
				value: BUILT_IN_TOOLS.webSearch,
				description: 'Lets the model search the web. Needs a Tavily credential.',
			},
		],
		default: [BUILT_IN_TOOLS.currentDateTime],
		description: 'Tools the agent has without connecting any. Tools connected to the Tool input are added to these.',
	},
	...memoryStoreProperties,
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		description:
			'Set it to remember the conversation: items with the same session ID see the earlier turns, tool calls included (kept in the Conversation Store, across restarts). Leave empty for no memory. Not used when a Memory node is connected. Example: {{ $JSON.body.userId }}.',
	},
	{
		displayName: 'Conversation Store',
		name: 'conversationStore',
		type: 'options',
		noDataExpression: true,
		default: 'files',
		description: 'Where a session\'s turns are kept (with a session ID)',
		options: [
			{
				name: 'Files on This Server',
				value: 'files',
				description: 'In the n8n user folder: one n8n instance, or workers that share one volume',
			},
			{
				name: 'Postgres',
				value: 'postgres',
				description: 'A Postgres table every n8n instance and queue-mode worker reaches (one row per turn)',
			},
		],
	},
	{
		displayName: 'Conversation Table',
		name: 'conversationTable',
		type: 'string',
		default: DEFAULT_CONVERSATION_TABLE,
		description: 'The table that holds the turns; created with its index on first use',
		displayOptions: { show: { conversationStore: ['postgres'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Readable Trace',
				name: 'traceMarkdown',
				type: 'boolean',
				default: false,
				description: 'Whether to add `traceMarkdown`: the whole run as readable markdown, for debugging',
			},
			{
				displayName: 'Items in Parallel',
				name: 'itemsInParallel',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_ITEMS_IN_PARALLEL,
				description:
					'How many items the agent works on at once; 1 runs them one after another. Outputs keep the input order; items with the same session ID always run in order.',
			},
			{
				displayName: 'Max Iterations',
				name: 'maxIterations',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_ITERATIONS,
				description:
					'Model calls with tools before the agent must answer. When reached, one last call without tools gives the best answer so far, with stopReason "max_iterations".',
			},
			{
				displayName: 'Max Tokens per Call',
				name: 'maxTokens',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'Longest reply the model may write in one call, in tokens. A connected chat model uses its own setting.',
			},
			{
				displayName: 'Memory Turns',
				name: 'memoryTurns',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MEMORY_TURNS,
				description: 'With a session ID: how many earlier turns (task, tool calls and answer) the model sees',
			},
			{
				displayName: 'Output JSON Schema',
				name: 'outputSchema',
				type: 'json',
				default: '{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"]\n}',
				description:
					'The answer must be JSON matching this schema; it comes out parsed as `data`. If it does not match, the model is asked once to fix it; then stopReason is "invalid_output".',
			},
			{
				displayName: 'Require Citations',
				name: 'requireCitations',
				type: 'boolean',
				default: false,
				description:
					'Whether the model must cite the URLs its tools returned. Cited URLs that no tool returned are left out of `citations` and listed in `unverifiedCitations`.',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
				default: 0.7,
				description:
					'Randomness of the replies: 0 for the most predictable. Some reasoning models accept no temperature. A connected chat model uses its own setting.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_TIMEOUT_SECONDS,
				description: 'Wall-clock limit per item; when reached, stopReason is "timeout". 0 means no limit.',
			},
			{
				displayName: 'Timeout Counts Approval Wait',
				name: 'timeoutCountsApprovalWait',
				type: 'boolean',
				default: false,
				description:
					'Whether the time a connected approval tool (e.g. Gmail or Slack "send and wait") waits for a person counts against the timeout. Off: the clock stops while the execution waits; n8n\'s own wait limit on the approval node still applies.',
			},
			{
				displayName: 'Token Budget',
				name: 'tokenBudget',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Most tokens (prompt + reply, all calls) one item may spend; when reached, stopReason is "token_budget". 0 means no limit.',
			},
		],
	},
];

/**
 * The OpenAI-compatible credential (optional: a chat model connected to the Chat Model input replaces it), Tavily's when a web tool is on, and each memory backend's when a memory tool
 * uses that backend. Built by code, so the node's description names this array instead of holding it: n8n's lint
 * rules read a `credentials` array literal entry by entry and crash on a spread.
 */
export const agentBrainCredentials: INodeCredentialDescription[] = [
	{ name: 'openAiCompatibleAgenticApi', required: false },
	{
		name: 'tavilyAgenticApi',
		required: true,
		displayOptions: { show: { builtInTools: [BUILT_IN_TOOLS.webSearch, BUILT_IN_TOOLS.webExtract, BUILT_IN_TOOLS.deepResearch] } },
	},
	...backendCredentialDescriptions({ builtInTools: MEMORY_TOOLS }),
	// n8n's own Postgres credential, the one its Postgres nodes and Postgres Chat Memory use.
	{ name: 'postgres', required: true, displayOptions: { show: { conversationStore: ['postgres'] } } },
];

