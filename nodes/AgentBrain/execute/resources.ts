// What one execution shares across its items: the model connection, the conversation store, and the Tavily client and memory store, each opened by the first item that needs it.
import { NodeConnectionTypes, NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions } from 'n8n-workflow';
import { AgenticError } from '../../shared/errors';
import { withSharedBackoff, type HttpTransport } from '../../shared/http';
import { n8nTransport } from '../../shared/n8nHttp';
import { toNodeError } from '../../shared/nodeErrors';
import { OPENAI_CREDENTIAL_NAME, openAiConnection, type OpenAiConnection } from '../../shared/openAiCompatible';
import { TavilyClient } from '../../Tavily/engine/client';
import { createBackend, type BackendName } from '../../VectorMemory/backends';
import type { StoreBackend } from '../../VectorMemory/types';
import { FileConversationStore, type ConversationStore } from '../engine/memory';
import { DEFAULT_CONVERSATION_TABLE, PostgresConversationStore, type PostgresConversationStoreOptions } from '../engine/postgresConversationStore';
import { chatModelNodeName } from './chatModel';

const OPENAI_CREDENTIAL_TYPE = 'openAiCompatibleAgenticApi';

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** A pg connection from n8n's own Postgres credential, read as n8n's Postgres nodes read it. */
export function postgresConnection(credentials: ICredentialDataDecryptedObject): PostgresConversationStoreOptions['connection'] {
	if (credentials.sshTunnel === true) {
		throw new AgenticError('invalid_input', 'The Conversation Store cannot connect through the SSH tunnel set in the "Postgres" credential', {
			description: 'Use a Postgres credential that connects directly (the queue-mode database usually is reachable from every worker).',
		});
	}
	const ssl = text(credentials.ssl) || 'disable';
	return {
		host: text(credentials.host) || 'localhost',
		port: Number(credentials.port) || 5432,
		database: text(credentials.database) || 'postgres',
		user: text(credentials.user) || 'postgres',
		password: typeof credentials.password === 'string' ? credentials.password : '',
		ssl: credentials.allowUnauthorizedCerts === true ? { rejectUnauthorized: false } : ssl !== 'disable',
	};
}

/** How long resources stay open after the node hands tools to n8n's engine, for the call that brings their results. */
const KEEP_OPEN_MS = 60_000;

/** Resources kept open between the node's calls within one execution, by execution and node. */
const keptOpen = new Map<string, { resources: ExecutionResources; timer: NodeJS.Timeout }>();

function executionKey(ctx: IExecuteFunctions): string | undefined {
	const executionId = typeof ctx.getExecutionId === 'function' ? ctx.getExecutionId() : undefined;
	return executionId ? `${executionId}\u0000${ctx.getNode().name}` : undefined;
}

export class ExecutionResources {
	readonly transport: HttpTransport;

	private conversationStore?: Promise<ConversationStore & { close?(): Promise<void> }>;

	private conversationSecrets: string[] = [];

	/** False when the node runs as another agent's tool: n8n then gives it no inputs, and it has only its built-in tools. */
	readonly hasToolInput: boolean;

	private tavilyClient?: TavilyClient;

	private tavilyKey?: string;

	private store?: Promise<{ store: StoreBackend; secrets: string[] }>;

	private storeSecrets: string[] = [];

	private constructor(
		private ctx: IExecuteFunctions,
		private readonly credentialConnection: OpenAiConnection | undefined,
		/** The chat model node on the Chat Model input; it replaces the credential's server for the runs. */
		readonly chatModelNode: string | undefined,
	) {
		// Items run in parallel: a 429 to one slows them all down. Requests go through the node's current call.
		this.transport = withSharedBackoff((request) => n8nTransport(this.ctx)(request));
		this.hasToolInput = typeof ctx.getNodeInputs !== 'function' || ctx.getNodeInputs().some((input) => input.type === NodeConnectionTypes.AiTool);
	}

	/**
	 * Reads the OpenAI-compatible credential when it is set; one that cannot be used stops the execution, naming it.
	 * It may be left out only when a chat model is connected.
	 */
	static async open(ctx: IExecuteFunctions, resuming = false): Promise<ExecutionResources> {
		const key = executionKey(ctx);
		const kept = key ? keptOpen.get(key) : undefined;
		if (key && kept) {
			clearTimeout(kept.timer);
			keptOpen.delete(key);
			// The call that brings the engine's tool results goes on with what the call before opened.
			if (resuming) {
				kept.resources.ctx = ctx;
				return kept.resources;
			}
			await kept.resources.close();
		}
		try {
			const chatModelNode = chatModelNodeName(ctx);
			const credentialSet = Boolean(ctx.getNode().credentials?.[OPENAI_CREDENTIAL_TYPE]);
			if (!credentialSet && !chatModelNode) {
				throw new NodeOperationError(ctx.getNode(), `Agent Brain has no model: connect a chat model to its Chat Model input, or set the "${OPENAI_CREDENTIAL_NAME}" credential`, {
					description: 'A connected chat model node (OpenAI, Anthropic, Ollama, …) brings its own credential; without one, the "OpenAI-Compatible API" credential says which server to use.',
				});
			}
			const connection = credentialSet ? openAiConnection(await ctx.getCredentials(OPENAI_CREDENTIAL_TYPE)) : undefined;
			return new ExecutionResources(ctx, connection, chatModelNode);
		} catch (error) {
			throw toNodeError(ctx, error, 0);
		}
	}

	/** The "OpenAI-Compatible API" credential's server: the model without a connected chat model, and the memory tools' embeddings. */
	get connection(): OpenAiConnection {
		if (!this.credentialConnection) {
			throw new NodeOperationError(this.ctx.getNode(), `The memory tools need the "${OPENAI_CREDENTIAL_NAME}" credential to embed texts`, {
				description: 'Set the "OpenAI-Compatible API" credential on Agent Brain (a server with the embedding model), even with a chat model connected.',
			});
		}
		return this.credentialConnection;
	}

	/** Every value no output or error may show: the model key and credential headers, Tavily's key, the store's secrets. */
	secrets(): Array<string | undefined> {
		const connection = this.credentialConnection;
		return [connection?.apiKey, this.tavilyKey, ...(connection?.secrets ?? []), ...this.storeSecrets, ...this.conversationSecrets];
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

	/** The Conversation Store the node is set to: files in the user folder, or a Postgres table every worker shares. */
	async conversations(): Promise<ConversationStore> {
		this.conversationStore ??= (async () => {
			if (this.ctx.getNodeParameter('conversationStore', 0, 'files') !== 'postgres') return new FileConversationStore();
			const credentials = await this.ctx.getCredentials('postgres');
			this.conversationSecrets = [text(credentials.password)].filter(Boolean);
			const tableName = String(this.ctx.getNodeParameter('conversationTable', 0, DEFAULT_CONVERSATION_TABLE) ?? '');
			const credentialName = this.ctx.getNode().credentials?.postgres?.name;
			return new PostgresConversationStore({ connection: postgresConnection(credentials), tableName, credentialName });
		})();
		return this.conversationStore;
	}

	/**
	 * Keeps the resources open for the node's next call in this execution (n8n's engine runs the tools, then calls
	 * again): credentials are not read again, connections not made again. Closed if that call does not come soon.
	 */
	keepOpen(): void {
		const key = executionKey(this.ctx);
		if (!key) {
			void this.close();
			return;
		}
		const timer = setTimeout(() => {
			if (keptOpen.get(key)?.resources === this) keptOpen.delete(key);
			void this.close();
		}, KEEP_OPEN_MS);
		timer.unref?.();
		keptOpen.set(key, { resources: this, timer });
	}

	async close(): Promise<void> {
		if (this.store) await this.store.then(({ store }) => store.close()).catch(() => undefined);
		if (this.conversationStore) await this.conversationStore.then((store) => store.close?.()).catch(() => undefined);
	}
}
