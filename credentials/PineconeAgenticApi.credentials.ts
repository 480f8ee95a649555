// A Pinecone API key and the host of one index; tested by asking that index for its stats.
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class PineconeAgenticApi implements ICredentialType {
	name = 'pineconeAgenticApi';

	displayName = 'Pinecone (Agentic) API';

	documentationUrl = 'https://docs.pinecone.io/guides/get-started/authentication';

	icon: Icon = { light: 'file:../nodes/VectorMemory/vectorMemory.svg', dark: 'file:../nodes/VectorMemory/vectorMemory.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Pinecone API key, from the Pinecone console',
		},
		{
			displayName: 'Index Host',
			name: 'indexHost',
			type: 'string',
			default: '',
			placeholder: 'https://my-index-abc123.svc.aped-1234.pinecone.io',
			description: "The index's host URL, shown on the index page of the Pinecone console. Its dimension must match the embedding model.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'Api-Key': '={{$credentials.apiKey}}', 'X-Pinecone-API-Version': '2025-04' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.indexHost}}', url: '/describe_index_stats', method: 'POST', body: {} },
	};
}
