// The Agent Brain engine, usable without n8n: the loop, its model client, tools, memory and trace.
export { runAgent, advanceAgent, type AgentRunOptions, type AgentResume, type AgentStep, type PausedRun } from './loop';
export { DEFAULT_MAX_ITERATIONS } from './defaults';
export { MAX_IDENTICAL_CALLS } from './repeatGuard';
export { parseJsonAnswer } from './structuredOutput';
export { OpenAiChatModel, parseCompletion, type OpenAiChatModelOptions } from './model';
export { ConnectedChatModel, type LangChainChatModelLike } from './connectedModel';
export { recallTool, rememberTool } from './memoryTools';
export { webSearchTool, webExtractTool, dateTimeTool, flattenTools, fromInvokableTool, uniqueToolNames, type InvokableTool, type WebSearchClient } from './tools';
export { FileConversationStore, InMemoryConversationStore, defaultSessionsDir, type ConversationStore } from './memory';
export { validateJsonSchema, schemaProblems, toolSchemaToJsonSchema, zodToJsonSchema, canonicalJson } from './schema';
export { checkCitations, extractUrls } from './citations';
export { traceToMarkdown } from './trace';
export type * from './types';
