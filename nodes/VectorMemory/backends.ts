// The backend table: one row per Vector Memory backend, from which both nodes' backend options, fields and credentials, and createBackend, are made.
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunction,
	IExecuteFunctions,
	INodeCredentialDescription,
	INodeProperties,
	INodePropertyOptions,
	ISupplyDataFunctions,
} from 'n8n-workflow';
import { AgenticError } from '../shared/errors';
import { credentialText, type BackendDefinition } from './backends/backend';
import { chromaBackend } from './backends/chroma';
import { embeddedBackend } from './backends/embedded';
import { pgvectorBackend } from './backends/pgvector';
import { pineconeBackend } from './backends/pinecone';
import { qdrantBackend } from './backends/qdrant';
import type { StoreBackend } from './types';

/** A new backend is its module under backends/ and one row here. The keys are the Backend parameter's values. */
export const BACKENDS = {
	chroma: chromaBackend,
	embedded: embeddedBackend,
	pgvector: pgvectorBackend,
	pinecone: pineconeBackend,
	qdrant: qdrantBackend,
} satisfies Record<string, BackendDefinition>;

export type BackendName = keyof typeof BACKENDS;

const rows = () => Object.entries(BACKENDS) as Array<[BackendName, BackendDefinition]>;

/** The Backend parameter's options, sorted by label as n8n lists options. */
export const backendOptions: INodePropertyOptions[] = rows()
	.map(([value, { label, description }]) => ({ name: label, value, description }))
	.sort((a, b) => a.name.localeCompare(b.name));

/** Every backend's own fields, each shown only when its backend is chosen. */
export const backendFields: INodeProperties[] = rows().flatMap(([backend, { fields }]) =>
	fields.map((field) => ({ ...field, displayOptions: { show: { ...field.displayOptions?.show, backend: [backend] } } })),
);

function credentialEntries(show: Record<string, Array<string | number | boolean>>, withTests: boolean): INodeCredentialDescription[] {
	return rows().flatMap(([backend, { credential, testConnection }]) => {
		if (!credential) return [];
		const testedBy = withTests ? testConnection?.method : undefined;
		return [{ name: credential, required: true, ...(testedBy ? { testedBy } : {}), displayOptions: { show: { ...show, backend: [backend] } } }];
	});
}

/**
 * The credential entries of a node that reaches the backends: one per backend with a credential, shown only when that
 * backend is chosen (and when `show` holds, e.g. a memory tool is enabled). Without `testedBy`: n8n looks a named test up
 * on the first node it finds using the credential, so only a node that carries backendCredentialTests may name them.
 */
export function backendCredentialDescriptions(show: Record<string, Array<string | number | boolean>> = {}): INodeCredentialDescription[] {
	return credentialEntries(show, false);
}

/** The same entries with `testedBy`, for the Vector Memory node, whose `methods.credentialTest` is backendCredentialTests. */
export const backendCredentialsWithTests: INodeCredentialDescription[] = credentialEntries({}, true);

/** The credential tests the backends' rows bring, by method name. */
export const backendCredentialTests: Record<string, ICredentialTestFunction> = Object.fromEntries(
	rows().flatMap(([, { testConnection }]) => (testConnection ? [[testConnection.method, testConnection.test]] : [])),
);

/** Secrets of a backend credential, kept out of every message. */
export function backendSecrets(credentials: ICredentialDataDecryptedObject | undefined): string[] {
	return [credentialText(credentials?.apiKey), credentialText(credentials?.password)].filter(Boolean);
}

/** Opens the chosen backend's store from the node's parameters and the backend's credential. */
export async function createBackend(ctx: IExecuteFunctions | ISupplyDataFunctions, backend: BackendName): Promise<{ store: StoreBackend; secrets: string[] }> {
	const row = BACKENDS[backend] as BackendDefinition | undefined;
	if (!row) throw new AgenticError('invalid_input', `Unknown Vector Memory backend "${String(backend)}"`, { field: 'backend' });
	const credentials = row.credential ? await ctx.getCredentials(row.credential) : {};
	return { store: row.create(ctx, credentials), secrets: backendSecrets(credentials) };
}
