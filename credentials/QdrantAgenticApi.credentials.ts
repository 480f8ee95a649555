// Where a Qdrant server or Qdrant Cloud cluster answers, with its API key; tested by listing collections.
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class QdrantAgenticApi implements ICredentialType {
	name = 'qdrantAgenticApi';

	displayName = 'Qdrant (Agentic) API';

	documentationUrl = 'https://qdrant.tech/documentation/guides/security/';

	icon: Icon = { light: 'file:../nodes/VectorMemory/vectorMemory.svg', dark: 'file:../nodes/VectorMemory/vectorMemory.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: 'http://localhost:6333',
			description: 'Qdrant REST address, e.g. https://xyz.cloud.qdrant.io:6333',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Sent as the api-key header; leave empty for a server without authentication',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'api-key': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.url}}', url: '/collections', method: 'GET' },
	};
}
