// Builds the chosen backend from the node's parameters and credentials (the only n8n-aware part besides the node file).
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeCredentialDescription } from 'n8n-workflow';
import { n8nTransport } from '../shared/n8nHttp';
import { ChromaStore } from './stores/chroma';
import { EmbeddedStore } from './stores/embedded';
import { PgVectorStore, type PgDistance } from './stores/pgvector';
import { PineconeStore } from './stores/pinecone';
import { QdrantStore } from './stores/qdrant';
import type { StoreBackend } from './types';

export type BackendName = 'embedded' | 'pgvector' | 'chroma' | 'qdrant' | 'pinecone';

export const BACKEND_CREDENTIALS: Record<Exclude<BackendName, 'embedded'>, string> = {
	pgvector: 'pgVectorAgentic',
	chroma: 'chromaAgenticApi',
	qdrant: 'qdrantAgenticApi',
	pinecone: 'pineconeAgenticApi',
};

/**
 * The credential entries of a node that reaches the backends: one per backend with a credential, shown only when that
 * backend is chosen (and when `show` holds, e.g. a memory tool is enabled).
 */
export function backendCredentialDescriptions(show: Record<string, Array<string | number | boolean>> = {}): INodeCredentialDescription[] {
	return (Object.entries(BACKEND_CREDENTIALS) as Array<[BackendName, string]>).map(([backend, name]) => ({
		name,
		required: true,
		displayOptions: { show: { ...show, backend: [backend] } },
	}));
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export function pgConnection(credentials: ICredentialDataDecryptedObject) {
	const ssl = text(credentials.ssl);
	return {
		host: text(credentials.host) || 'localhost',
		port: Number(credentials.port) || 5432,
		database: text(credentials.database) || 'postgres',
		user: text(credentials.user) || 'postgres',
		password: text(credentials.password),
		ssl: ssl === 'verify' ? { rejectUnauthorized: true } : ssl === 'allow' ? { rejectUnauthorized: false } : false,
	};
}

/** Secrets of a backend credential, kept out of every message. */
export function backendSecrets(credentials: ICredentialDataDecryptedObject | undefined): string[] {
	return [text(credentials?.apiKey), text(credentials?.password)].filter(Boolean);
}

export async function createBackend(ctx: IExecuteFunctions, backend: BackendName): Promise<{ store: StoreBackend; secrets: string[] }> {
	if (backend === 'embedded') return { store: new EmbeddedStore(), secrets: [] };
	const credentials = await ctx.getCredentials(BACKEND_CREDENTIALS[backend]);
	const secrets = backendSecrets(credentials);
	const transport = n8nTransport(ctx);
	switch (backend) {
		case 'pgvector':
			return {
				store: new PgVectorStore({
					connection: pgConnection(credentials),
					tableName: ctx.getNodeParameter('tableName', 0, 'agentic_memory') as string,
					distance: ctx.getNodeParameter('distance', 0, 'cosine') as PgDistance,
				}),
				secrets,
			};
		case 'chroma':
			return {
				store: new ChromaStore({
					baseUrl: text(credentials.baseUrl),
					apiKey: text(credentials.apiKey) || undefined,
					tenant: text(credentials.tenant) || undefined,
					database: text(credentials.database) || undefined,
					transport,
				}),
				secrets,
			};
		case 'qdrant':
			return { store: new QdrantStore({ baseUrl: text(credentials.url), apiKey: text(credentials.apiKey) || undefined, transport }), secrets };
		case 'pinecone':
			return { store: new PineconeStore({ indexHost: text(credentials.indexHost), apiKey: text(credentials.apiKey), transport }), secrets };
	}
}
