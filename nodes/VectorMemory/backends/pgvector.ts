// The Postgres pgvector backend's row: its table and distance fields, the connection from its credential, and that credential's test.
import { Client } from 'pg';
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult, INodeProperties } from 'n8n-workflow';
import { redactSecrets } from '../../shared/errors';
import { PgVectorStore, type PgDistance } from '../stores/pgvector';
import { credentialText, type BackendDefinition } from './backend';

const DEFAULT_TABLE = 'agentic_memory';

/** The `pg` connection settings from a pgVectorAgenticApi credential, with Postgres's usual defaults for what is unset. */
export function pgConnection(credentials: ICredentialDataDecryptedObject) {
	const ssl = credentialText(credentials.ssl);
	return {
		host: credentialText(credentials.host) || 'localhost',
		port: Number(credentials.port) || 5432,
		database: credentialText(credentials.database) || 'postgres',
		user: credentialText(credentials.user) || 'postgres',
		password: credentialText(credentials.password),
		ssl: ssl === 'verify' ? { rejectUnauthorized: true } : ssl === 'allow' ? { rejectUnauthorized: false } : false,
	};
}

/** Connects and checks that pgvector is there to install: a login alone would pass a Postgres the first insert then fails on. */
export async function testPgVectorCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const client = new Client({ ...pgConnection(credential.data ?? {}), connectionTimeoutMillis: 10_000 });
	try {
		await client.connect();
		const result = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
		if (result.rowCount === 0) {
			return { status: 'Error', message: 'Connected, but this Postgres has no pgvector extension installed' };
		}
		return { status: 'OK', message: 'Connected; pgvector is available' };
	} catch (error) {
		return { status: 'Error', message: redactSecrets((error as Error).message, [credentialText(credential.data?.password)]) };
	} finally {
		await client.end().catch(() => undefined);
	}
}

const fields: INodeProperties[] = [
	{
		displayName: 'Table Name',
		name: 'tableName',
		type: 'string',
		default: DEFAULT_TABLE,
		description: 'Postgres table holding the memory; created on the first insert',
	},
	{
		displayName: 'Distance',
		name: 'distance',
		type: 'options',
		default: 'cosine',
		description: 'How closeness is measured; the score is the cosine similarity, the inner product, or 1/(1+distance) for Euclidean',
		options: [
			{ name: 'Cosine', value: 'cosine' },
			{ name: 'Euclidean (L2)', value: 'euclidean' },
			{ name: 'Inner Product', value: 'innerProduct' },
		],
	},
];

export const pgvectorBackend: BackendDefinition = {
	label: 'Postgres Pgvector',
	description: 'A Postgres table with the pgvector extension',
	credential: 'pgVectorAgenticApi',
	fields,
	create: (ctx, credentials) =>
		new PgVectorStore({
			connection: pgConnection(credentials),
			tableName: ctx.getNodeParameter('tableName', 0, DEFAULT_TABLE) as string,
			distance: ctx.getNodeParameter('distance', 0, 'cosine') as PgDistance,
		}),
	testConnection: { method: 'pgVectorAgenticApiConnectionTest', test: testPgVectorCredential },
};
