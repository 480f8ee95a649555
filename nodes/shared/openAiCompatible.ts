// Where and how to reach an OpenAI-compatible server from the "OpenAI-Compatible API" credential: chat, embeddings and the credential test share it.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { AgenticError } from './errors';
import { checkBaseUrl } from './http';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The n8n credential users fix when the server refuses the key; named in every auth error. */
export const OPENAI_CREDENTIAL_NAME = 'OpenAI-Compatible API';

export interface OpenAiCompatibleConnection {
	/** Empty for local servers that need no key (Ollama, LM Studio). */
	apiKey?: string;
	/** Default https://api.openai.com/v1. */
	baseUrl?: string;
	organization?: string;
	/** Sent with every request (e.g. OpenRouter's HTTP-Referer); cannot replace the Authorization header. */
	extraHeaders?: Record<string, string>;
}

/** A connection read from the credential, with the secrets that must never show in outputs, traces or errors. */
export interface OpenAiConnection extends OpenAiCompatibleConnection {
	apiKey: string;
	extraHeaders: Record<string, string>;
	/** The key and every credential-like extra header value. */
	secrets: string[];
}

/** Extra headers are a JSON object of names to values (or nothing); anything else is `undefined`. */
export function parseExtraHeaders(value: unknown): Record<string, string> | undefined {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			parsed = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
	const headers: Record<string, string> = {};
	for (const [name, headerValue] of Object.entries(parsed as Record<string, unknown>)) headers[name] = String(headerValue);
	return headers;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/**
 * Reads the "OpenAI-Compatible API" credential once for every user of it (Agent Brain, its memory tools, Vector
 * Memory): the key trimmed (a pasted newline would otherwise be sent), the extra headers parsed, and the secrets to
 * redact. Extra headers that are not a JSON object are refused, naming the credential, instead of being dropped.
 */
export function openAiConnection(credentials: ICredentialDataDecryptedObject): OpenAiConnection {
	const extraHeaders = parseExtraHeaders(credentials.extraHeaders);
	if (extraHeaders === undefined) {
		throw new AgenticError('invalid_input', `The extra headers in the "${OPENAI_CREDENTIAL_NAME}" credential are not a JSON object`, {
			description: 'Write them as a JSON object of header names to values, e.g. {"HTTP-Referer": "https://example.com"}, or leave {}.',
			field: `${OPENAI_CREDENTIAL_NAME} credential`,
		});
	}
	const apiKey = text(credentials.apiKey);
	return {
		apiKey,
		baseUrl: text(credentials.baseUrl) || undefined,
		organization: text(credentials.organization) || undefined,
		extraHeaders,
		secrets: [apiKey, ...secretHeaderValues(extraHeaders)].filter(Boolean),
	};
}

/**
 * The headers that authenticate a request: the extra headers, then the key as a Bearer token and the organization.
 * An extra `Authorization` header is never sent: the API key field is where the key goes, so the credential test and
 * every run send the same thing.
 */
export function openAiAuthHeaders(connection: OpenAiCompatibleConnection): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(connection.extraHeaders ?? {})) {
		if (name.toLowerCase() !== 'authorization') headers[name] = String(value);
	}
	const apiKey = connection.apiKey?.trim();
	// Local servers need no key; sending an empty Bearer would confuse some of them.
	if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
	const organization = connection.organization?.trim();
	if (organization) headers['OpenAI-Organization'] = organization;
	return headers;
}

/** The checked base URL (no trailing slash) and the headers every request carries. */
export function openAiCompatibleEndpoint(connection: OpenAiCompatibleConnection): { baseUrl: string; headers: Record<string, string> } {
	const baseUrl = checkBaseUrl(connection.baseUrl, {
		defaultUrl: OPENAI_DEFAULT_BASE_URL,
		credentialName: OPENAI_CREDENTIAL_NAME,
		hint: `Set it to ${OPENAI_DEFAULT_BASE_URL}, or to your server's OpenAI-compatible address (for Ollama: http://localhost:11434/v1).`,
	});
	return { baseUrl, headers: { 'content-type': 'application/json', accept: 'application/json', ...openAiAuthHeaders(connection) } };
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
