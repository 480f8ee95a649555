// The Memory input: an n8n memory sub-node (Simple, Postgres, Redis Chat Memory, …) loaded before and saved after each turn; it keeps text, not tool calls.
import { NodeConnectionTypes, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { contentText } from '../engine/connectedModel';
import type { ChatMessage } from '../engine/types';

/** The surface of a LangChain chat memory (BufferWindowMemory and kin) that n8n's memory nodes supply. */
interface LangChainMemoryLike {
	loadMemoryVariables(values: Record<string, unknown>): Promise<Record<string, unknown>>;
	saveContext(input: Record<string, unknown>, output: Record<string, unknown>): Promise<void>;
}

export interface TurnMemory {
	/** The earlier turns as user and assistant text, oldest first. */
	load(): Promise<ChatMessage[]>;
	save(task: string, answer: string): Promise<void>;
}

/** The node on the Memory input, read from the workflow; undefined when none is connected. */
export function memoryNodeName(ctx: IExecuteFunctions): string | undefined {
	if (typeof ctx.getNodeInputs !== 'function' || !ctx.getNodeInputs().some((input) => input.type === NodeConnectionTypes.AiMemory)) return undefined;
	return ctx.getParentNodes(ctx.getNode().name, { connectionType: NodeConnectionTypes.AiMemory, depth: 1 }).find((parent) => !parent.disabled)?.name;
}

function isChatMemory(value: unknown): value is LangChainMemoryLike {
	const candidate = value as Partial<LangChainMemoryLike> | undefined;
	return typeof candidate?.loadMemoryVariables === 'function' && typeof candidate.saveContext === 'function';
}

/** A stored LangChain message as user or assistant text; tool calls, tool results and empty messages are left out. */
function textMessageOf(message: unknown): ChatMessage | undefined {
	if (message === null || typeof message !== 'object') return undefined;
	const stored = message as { _getType?: () => string; getType?: () => string; type?: string; content?: unknown };
	const type = stored.getType?.() ?? stored._getType?.() ?? stored.type;
	const content = contentText(stored.content);
	if (content.trim() === '') return undefined;
	if (type === 'human' || type === 'user') return { role: 'user', content };
	if (type === 'ai' || type === 'assistant') return { role: 'assistant', content };
	return undefined;
}

/** The memory sub-node for this item (its session key may be an expression of the item), or undefined when none is connected. */
export async function connectedMemory(ctx: IExecuteFunctions, itemIndex: number): Promise<TurnMemory | undefined> {
	const nodeName = memoryNodeName(ctx);
	if (!nodeName) return undefined;
	const supplied = await ctx.getInputConnectionData(NodeConnectionTypes.AiMemory, itemIndex);
	const memory = Array.isArray(supplied) ? supplied[0] : supplied;
	if (!isChatMemory(memory)) {
		throw new NodeOperationError(ctx.getNode(), `The node on the Memory input ("${nodeName}") is not a chat memory`, {
			description: 'Connect a chat memory node there, e.g. Simple Memory, Postgres Chat Memory or Redis Chat Memory.',
			itemIndex,
		});
	}
	return {
		async load() {
			const variables = await memory.loadMemoryVariables({});
			const history = variables.chat_history ?? variables.history;
			// A memory set to return one string (not messages) gives the earlier conversation as one text.
			if (typeof history === 'string') return history.trim() ? [{ role: 'user', content: `The conversation so far:\n${history}` }] : [];
			return (Array.isArray(history) ? history : []).map(textMessageOf).filter((message): message is ChatMessage => message !== undefined);
		},
		async save(task, answer) {
			if (answer.trim() !== '') await memory.saveContext({ input: task }, { output: answer });
		},
	};
}
