// Errors raised by the engines (which know nothing of n8n); node adapters turn them into NodeApiError/NodeOperationError.

export type AgenticErrorKind =
	| 'invalid_input' // the user can fix a parameter or an item field
	| 'auth' // the service refused the credential
	| 'rate_limited' // still 429 after every retry
	| 'upstream' // still 5xx / network failure / timeout after every retry
	| 'not_found'
	| 'cancelled' // the execution was stopped
	| 'internal';

export class AgenticError extends Error {
	readonly kind: AgenticErrorKind;
	/** How to fix it, in the user's words. Shown as the error's description in n8n. */
	readonly description?: string;
	/** HTTP status of the last response, when the error came from a service. */
	readonly httpStatus?: number;
	/**
	 * For callers of the engines without n8n (index.ts): the option, item field or credential the error is about, so a
	 * program can point at the input to fix. n8n users are not shown it: every message names that parameter itself.
	 */
	readonly field?: string;

	constructor(
		kind: AgenticErrorKind,
		message: string,
		extra: { description?: string; httpStatus?: number; field?: string; cause?: unknown } = {},
	) {
		super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
		this.name = 'AgenticError';
		this.kind = kind;
		this.description = extra.description;
		this.httpStatus = extra.httpStatus;
		this.field = extra.field;
	}
}

export function isAgenticError(error: unknown): error is AgenticError {
	return error instanceof AgenticError;
}

/** Removes every occurrence of each secret from a text (traces, logs, error bodies). */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
	let out = text;
	for (const secret of secrets) {
		// A key pasted with a trailing newline is sent trimmed, so it shows up trimmed too.
		for (const form of secret ? new Set([secret, secret.trim()]) : []) {
			if (form.length >= 4) out = out.split(form).join('[redacted]');
		}
	}
	return out;
}
