// Where a Chroma server answers, with an optional token; tested with Chroma's heartbeat endpoint.
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class ChromaAgenticApi implements ICredentialType {
	name = 'chromaAgenticApi';

	displayName = 'Chroma (Agentic) API';

	documentationUrl = 'https://docs.trychroma.com/docs/run-chroma/client-server';

	icon: Icon = { light: 'file:../nodes/VectorMemory/vectorMemory.svg', dark: 'file:../nodes/VectorMemory/vectorMemory.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:8000',
			description: 'Where the Chroma server answers (the address `chroma run` prints)',
		},
		{
			displayName: 'API Token',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Sent as the x-chroma-token header; leave empty for a server without authentication',
		},
		{ displayName: 'Tenant', name: 'tenant', type: 'string', default: 'default_tenant', description: 'Chroma tenant holding the database' },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'default_database', description: 'Chroma database holding the collections' },
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-chroma-token': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/api/v2/heartbeat', method: 'GET' },
	};
}
