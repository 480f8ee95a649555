// The Agent Brain engine, usable without n8n: the loop, its model client, tools, memory and trace.
export { runAgent, parseJsonAnswer, DEFAULT_MAX_ITERATIONS, MAX_IDENTICAL_CALLS, type AgentRunOptions } from './loop';
export { OpenAiChatModel, OPENAI_DEFAULT_BASE_URL, OPENAI_CREDENTIAL_NAME, parseCompletion, type OpenAiChatModelOptions } from './model';
export { recallTool, rememberTool } from './memoryTools';
export { webSearchTool, webExtractTool, dateTimeTool, flattenTools, fromInvokableTool, uniqueToolNames, type InvokableTool, type WebSearchClient } from './tools';
export { FileConversationStore, InMemoryConversationStore, defaultSessionsDir, type ConversationStore } from './memory';
export { validateJsonSchema, schemaProblems, toolSchemaToJsonSchema, zodToJsonSchema, canonicalJson } from './schema';
export { checkCitations, extractUrls } from './citations';
export { traceToMarkdown, redactTrace } from './trace';
export type * from './types';
