// Tavily API key and base URL; n8n tests it with GET /usage, which needs a valid key and spends no credits.
import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

export class TavilyAgenticApi implements ICredentialType {
	name = 'tavilyAgenticApi';

	displayName = 'Tavily (Agentic) API';

	documentationUrl = 'https://docs.tavily.com/documentation/api-reference/introduction';

	icon: Icon = { light: 'file:tavily.svg', dark: 'file:tavily.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Tavily API key (it starts with "tvly-"), from the Tavily dashboard at https://app.tavily.com',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.tavily.com',
			description: 'Where the Tavily API answers. Change it only for a proxy or gateway that serves the same API.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/usage',
			method: 'GET',
		},
	};
}
