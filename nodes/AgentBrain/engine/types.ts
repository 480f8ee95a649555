// Shapes the agent loop speaks: OpenAI-style chat messages, tools, the model interface and the run's result.

export interface ToolCallRequest {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

export type ChatMessage =
	| { role: 'system'; content: string }
	| { role: 'user'; content: string }
	| { role: 'assistant'; content: string | null; tool_calls?: ToolCallRequest[] }
	| { role: 'tool'; tool_call_id: string; content: string };

export type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

export type JsonSchema = Record<string, unknown>;

export interface TokenUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
}

export interface ToolDefinition {
	name: string;
	description: string;
	/** JSON Schema of the arguments object. */
	parameters: JsonSchema;
}

export interface ChatRequest {
	messages: ChatMessage[];
	/** Absent or empty: the model must answer in words. */
	tools?: ToolDefinition[];
	signal?: AbortSignal;
	/** Longest a single call may take (the loop passes what is left of its time). */
	timeoutMs?: number;
	/** Set: the model streams, and each piece of its text is handed here as it arrives. The response is the same. */
	onText?: (text: string) => void;
}

export interface ChatResponse {
	message: AssistantMessage;
	usage: TokenUsage;
}

/** Anything that answers a chat request: the OpenAI-compatible client, or an in-process model in tests. */
export interface ChatModel {
	complete(request: ChatRequest): Promise<ChatResponse>;
}

export interface ToolContext {
	signal: AbortSignal;
}

/** A tool the model may call. `run` returns what the model sees (objects are sent as JSON). */
export interface AgentTool {
	name: string;
	description: string;
	parameters: JsonSchema;
	run(args: Record<string, unknown>, context: ToolContext): Promise<unknown>;
	/**
	 * Set: the caller runs the tool (n8n's workflow engine runs a connected tool node, perhaps after a person approves):
	 * the loop checks the call, pauses, and hands it over with this (what the caller needs to run it); it goes on when
	 * the caller hands back the result (see `advanceAgent`). `run` is not used.
	 */
	handOver?: Record<string, unknown>;
}

/** A checked call of a tool the caller runs (one with `handOver`). */
export interface OutsideCall {
	/** The model's id of the call. */
	id: string;
	/** The tool's name as the model knows it. */
	name: string;
	arguments: Record<string, unknown>;
	/** The tool's `handOver`. */
	handOver: Record<string, unknown>;
}

/** How a reviewer answered a call that needed approval. */
export type ToolApproval = 'approved' | 'declined' | 'no_answer';

/** What came of an outside call: what the model is told, or why the tool failed. */
export type OutsideResult = { id: string; approval?: ToolApproval } & ({ observation: string } | { problem: string });

export type StopReason = 'completed' | 'max_iterations' | 'timeout' | 'token_budget' | 'invalid_output';

export interface ToolCallRecord {
	name: string;
	arguments: unknown;
	/** First characters of what the model was told. */
	resultSummary: string;
	ms: number;
	error?: string;
	/** Set when the call repeated an earlier one too often and was not run. */
	repeated?: boolean;
	/** Set when the call needed a person's approval: what they answered (only `approved` calls ran). */
	approval?: ToolApproval;
	iteration: number;
}

export interface TraceEntry {
	iteration: number;
	/** sent: to the model; received: from the model; tool: a tool's observation. */
	direction: 'sent' | 'received' | 'tool';
	role: ChatMessage['role'];
	content: string | null;
	toolCalls?: Array<{ id: string; name: string; arguments: string }>;
	toolCallId?: string;
	/** Time the model call or the tool took. */
	ms?: number;
	usage?: TokenUsage;
}

export interface AgentResult {
	answer: string;
	/** The parsed answer, when an output schema was given and the answer matched it. */
	data?: unknown;
	/** Why the parsed answer was refused (only when it still failed after one retry). */
	dataErrors?: string[];
	stopReason: StopReason;
	/** Model calls with tools available. */
	iterations: number;
	toolCalls: ToolCallRecord[];
	usage: TokenUsage;
	citations: string[];
	unverifiedCitations?: string[];
	trace: TraceEntry[];
	/** The messages of this run to keep in conversation memory: the task, tool calls with their results, the answer. */
	turn: ChatMessage[];
}
