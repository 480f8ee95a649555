// Connection to a Postgres database with the pgvector extension; the Vector Memory node tests it by connecting and checking for pgvector.
import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

// Postgres is not HTTP, so no `test` request: the Vector Memory node tests it (testedBy pgVectorAgenticApiConnectionTest,
// from the backend table). The rule below finds testedBy only in credential lists written out literally in the node file.
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- tested by the Vector Memory node; see above
export class PgVectorAgenticApi implements ICredentialType {
	name = 'pgVectorAgenticApi';

	displayName = 'Postgres Pgvector (Agentic) API';

	documentationUrl = 'https://github.com/pgvector/pgvector#installation';

	icon: Icon = { light: 'file:../nodes/VectorMemory/vectorMemory.svg', dark: 'file:../nodes/VectorMemory/vectorMemory.dark.svg' };

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost', description: 'Postgres server host name or IP address' },
		{ displayName: 'Port', name: 'port', type: 'number', default: 5432, description: 'Postgres server port' },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'postgres', description: 'Database holding the memory table' },
		{ displayName: 'User', name: 'user', type: 'string', default: 'postgres', description: 'User that may create the table and, once, the vector extension' },
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Password of that user',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			default: 'disable',
			description: 'Whether to encrypt the connection, and whether to check the server certificate',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Do Not Verify Certificate)', value: 'allow' },
				{ name: 'Require and Verify Certificate', value: 'verify' },
			],
		},
	];
}
