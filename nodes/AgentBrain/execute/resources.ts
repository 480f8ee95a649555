// What one execution shares across its items: the model connection, the session files, and the Tavily client and memory store, each opened by the first item that needs it.
import { NodeConnectionTypes, type IExecuteFunctions } from 'n8n-workflow';
import type { HttpTransport } from '../../shared/http';
import { n8nTransport } from '../../shared/n8nHttp';
import { toNodeError } from '../../shared/nodeErrors';
import { openAiConnection, type OpenAiConnection } from '../../shared/openAiCompatible';
import { TavilyClient } from '../../Tavily/engine/client';
import { createBackend, type BackendName } from '../../VectorMemory/backends';
import type { StoreBackend } from '../../VectorMemory/types';
import { FileConversationStore } from '../engine/memory';

export class ExecutionResources {
	readonly transport: HttpTransport;

	readonly sessions = new FileConversationStore();

	/** False when the node runs as another agent's tool: n8n then gives it no inputs, and it has only its built-in tools. */
	readonly hasToolInput: boolean;

	private tavilyClient?: TavilyClient;

	private tavilyKey?: string;

	private store?: Promise<{ store: StoreBackend; secrets: string[] }>;

	private storeSecrets: string[] = [];

	private constructor(
		private readonly ctx: IExecuteFunctions,
		readonly connection: OpenAiConnection,
	) {
		this.transport = n8nTransport(ctx);
		this.hasToolInput = typeof ctx.getNodeInputs !== 'function' || ctx.getNodeInputs().some((input) => input.type === NodeConnectionTypes.AiTool);
	}

	/** Reads the OpenAI-compatible credential; one that cannot be used stops the execution, naming it. */
	static async open(ctx: IExecuteFunctions): Promise<ExecutionResources> {
		try {
			return new ExecutionResources(ctx, openAiConnection(await ctx.getCredentials('openAiCompatibleAgenticApi')));
		} catch (error) {
			throw toNodeError(ctx, error, 0);
		}
	}

	/** Every value no output or error may show: the model key and credential headers, Tavily's key, the store's secrets. */
	secrets(): Array<string | undefined> {
		return [this.connection.apiKey, this.tavilyKey, ...this.connection.secrets, ...this.storeSecrets];
	}

	async tavily(itemIndex: number): Promise<TavilyClient> {
		if (!this.tavilyClient) {
			const credentials = await this.ctx.getCredentials('tavilyAgenticApi', itemIndex);
			this.tavilyKey = String(credentials.apiKey ?? '');
			this.tavilyClient = new TavilyClient({ apiKey: this.tavilyKey, baseUrl: credentials.baseUrl as string | undefined, transport: this.transport });
		}
		return this.tavilyClient;
	}

	/** One store for the whole execution, on the backend the node is set to. */
	async memoryStore(): Promise<StoreBackend> {
		this.store ??= createBackend(this.ctx, this.ctx.getNodeParameter('backend', 0, 'embedded') as BackendName);
		const opened = await this.store;
		this.storeSecrets = opened.secrets;
		return opened.store;
	}

	async close(): Promise<void> {
		if (this.store) await this.store.then(({ store }) => store.close()).catch(() => undefined);
	}
}
