// Where and how to reach an OpenAI-compatible server from the "OpenAI-compatible API" credential: chat and embeddings share it.
import { checkBaseUrl } from './http';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The n8n credential users fix when the server refuses the key; named in every auth error. */
export const OPENAI_CREDENTIAL_NAME = 'OpenAI-compatible API';

export interface OpenAiCompatibleConnection {
	/** Empty for local servers that need no key (Ollama, LM Studio). */
	apiKey?: string;
	/** Default https://api.openai.com/v1. */
	baseUrl?: string;
	organization?: string;
	/** Sent with every request (e.g. OpenRouter's HTTP-Referer); cannot replace the Authorization header. */
	extraHeaders?: Record<string, string>;
}

/** The checked base URL (no trailing slash) and the headers every request carries. */
export function openAiCompatibleEndpoint(connection: OpenAiCompatibleConnection): { baseUrl: string; headers: Record<string, string> } {
	const baseUrl = checkBaseUrl(connection.baseUrl, {
		defaultUrl: OPENAI_DEFAULT_BASE_URL,
		credentialName: OPENAI_CREDENTIAL_NAME,
		hint: `Set it to ${OPENAI_DEFAULT_BASE_URL}, or to your server's OpenAI-compatible address (for Ollama: http://localhost:11434/v1).`,
	});
	const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
	for (const [name, value] of Object.entries(connection.extraHeaders ?? {})) {
		if (name.toLowerCase() !== 'authorization') headers[name] = String(value);
	}
	// Local servers need no key; sending an empty Bearer would confuse some of them.
	if (connection.apiKey) headers.authorization = `Bearer ${connection.apiKey}`;
	if (connection.organization) headers['OpenAI-Organization'] = connection.organization;
	return { baseUrl, headers };
}

const SECRET_HEADER_NAME = /auth|key|token|secret|cookie|pass|sig|session|credential/i;

/**
 * The extra header values to keep out of outputs, traces and errors: those of headers named like credentials, and
 * any value shaped like a token. An app name or site URL (OpenRouter's X-Title, HTTP-Referer) stays readable, since
 * answers may mention it.
 */
export function secretHeaderValues(headers: Record<string, string>): string[] {
	return Object.entries(headers)
		.filter(([name, value]) => SECRET_HEADER_NAME.test(name) || (value.length >= 16 && !/\s/.test(value) && !/^https?:\/\//i.test(value)))
		.map(([, value]) => value);
}
