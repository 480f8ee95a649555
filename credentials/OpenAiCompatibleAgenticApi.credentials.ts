// API key, base URL, organization and extra headers for OpenAI or any server that speaks its API; n8n tests it by listing the models.
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { openAiAuthHeaders, openAiConnection } from '../nodes/shared/openAiCompatible';

export class OpenAiCompatibleAgenticApi implements ICredentialType {
	name = 'openAiCompatibleAgenticApi';

	displayName = 'OpenAI-Compatible API';

	documentationUrl = 'https://platform.openai.com/docs/api-reference/authentication';

	icon: Icon = { light: 'file:openAiCompatible.svg', dark: 'file:openAiCompatible.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Your API key (OpenAI keys start with "sk-"). Leave empty for local servers that need none, such as Ollama or LM Studio.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.openai.com/v1',
			description:
				'Address of the OpenAI-Compatible API, ending in /v1. Examples: Ollama http://localhost:11434/v1, LM Studio http://localhost:1234/v1, OpenRouter https://openrouter.ai/api/v1, Groq https://api.groq.com/openai/v1.',
		},
		{
			displayName: 'Organization ID',
			name: 'organization',
			type: 'string',
			default: '',
			description: 'Only for OpenAI accounts in several organizations: the organization to bill (org-...)',
		},
		{
			displayName: 'Extra Headers',
			name: 'extraHeaders',
			type: 'json',
			default: '{}',
			description: 'Headers sent with every request, as a JSON object, e.g. {"HTTP-Referer": "https://example.com"} for OpenRouter',
		},
	];

	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		// The same headers every run sends; extra headers that are not a JSON object fail the test with the run's error.
		const headers = openAiAuthHeaders(openAiConnection(credentials));
		return { ...requestOptions, headers: { ...(requestOptions.headers ?? {}), ...headers } };
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/models',
			method: 'GET',
		},
	};
}
