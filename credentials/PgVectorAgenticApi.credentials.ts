// Connection to a Postgres database with the pgvector extension; the Vector Memory node tests it by connecting and checking for pgvector.
import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class PgVectorAgentic implements ICredentialType {
	name = 'pgVectorAgentic';

	displayName = 'Postgres pgvector (Agentic)';

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
