// The HTTP plumbing the REST backends (Chroma, Qdrant, Pinecone) share: JSON calls, retries, errors that name the credential.
import { AgenticError } from '../../shared/errors';
import { fetchTransport, requestWithRetry, type HttpMethod, type HttpTransport, type RetryOptions } from '../../shared/http';

export interface RestOptions {
	baseUrl: string;
	headers?: Record<string, string>;
	transport?: HttpTransport;
	retry?: Partial<Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'sleep'>>;
}

export class RestClient {
	private readonly baseUrl: string;

	constructor(
		private readonly service: string,
		private readonly credentialName: string,
		private readonly options: RestOptions,
		private readonly secrets: Array<string | undefined>,
	) {
		if (!/^https?:\/\/[^/]/.test(options.baseUrl ?? '')) {
			throw new AgenticError('invalid_input', `The ${service} URL "${options.baseUrl ?? ''}" is not an http(s) URL`, {
				field: credentialName,
				description: `Set the URL in the "${credentialName}" credential, e.g. http://localhost:6333.`,
			});
		}
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
	}

	/** Sends a JSON request; returns the body, or undefined on a 404 when `allow404` or on a status in `alsoFine`. */
	async call<T>(method: HttpMethod, path: string, body?: unknown, allow404 = false, alsoFine: number[] = []): Promise<T | undefined> {
		const response = await requestWithRetry(
			this.options.transport ?? fetchTransport,
			{ method, url: `${this.baseUrl}${path}`, headers: { ...this.options.headers }, body, timeoutMs: 60_000 },
			{ ...this.options.retry, service: this.service, credentialName: this.credentialName, secrets: this.secrets },
		);
		if ((response.status === 404 && allow404) || alsoFine.includes(response.status)) return undefined;
		if (response.status >= 400) {
			const detail = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
			throw new AgenticError('upstream', `${this.service} answered HTTP ${response.status} to ${method} ${path}: ${detail.slice(0, 300)}`, {
				httpStatus: response.status,
				field: this.credentialName,
				description: `${this.service}'s own explanation is in the message. Check the URL and settings in the "${this.credentialName}" credential, then the node's parameters.`,
			});
		}
		return response.body as T;
	}
}
