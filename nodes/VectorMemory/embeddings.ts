// Embeds texts with an OpenAI-compatible /embeddings endpoint: batched, retried, checked for shape.
import { AgenticError } from '../shared/errors';
import { fetchTransport, requestWithRetry, type HttpTransport, type RetryOptions } from '../shared/http';
import { OPENAI_CREDENTIAL_NAME, openAiCompatibleEndpoint } from '../shared/openAiCompatible';

/** Anything that turns texts into vectors, in order (the node uses the HTTP client; tests may pass their own). */
export interface Embedder {
	embed(texts: string[]): Promise<number[][]>;
}

export interface OpenAiEmbedderOptions {
	/** Empty for local servers that need no key (Ollama, LM Studio). */
	apiKey: string;
	/** Ends before /embeddings, e.g. https://api.openai.com/v1. */
	baseUrl?: string;
	organization?: string;
	headers?: Record<string, string>;
	model: string;
	/** Asks the model for shorter vectors (text-embedding-3-*); omitted when undefined. */
	dimensions?: number;
	/** Texts per request (OpenAI accepts up to 2048). */
	batchSize?: number;
	transport?: HttpTransport;
	retry?: Partial<Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'sleep'>>;
}

export class OpenAiEmbedder implements Embedder {
	constructor(private readonly options: OpenAiEmbedderOptions) {}

	async embed(texts: string[]): Promise<number[][]> {
		const batchSize = Math.max(1, this.options.batchSize ?? 256);
		const out: number[][] = [];
		for (let i = 0; i < texts.length; i += batchSize) {
			out.push(...(await this.embedBatch(texts.slice(i, i + batchSize))));
		}
		return out;
	}

	private async embedBatch(input: string[]): Promise<number[][]> {
		const { apiKey, organization, model, dimensions } = this.options;
		const { baseUrl, headers } = openAiCompatibleEndpoint({ apiKey, baseUrl: this.options.baseUrl, organization, extraHeaders: this.options.headers });
		const body: Record<string, unknown> = { model, input, encoding_format: 'float' };
		if (dimensions !== undefined) body.dimensions = dimensions;
		const response = await requestWithRetry(
			this.options.transport ?? fetchTransport,
			{ method: 'POST', url: `${baseUrl}/embeddings`, headers, body, timeoutMs: 60_000 },
			{ ...this.options.retry, service: 'The embeddings API', credentialName: OPENAI_CREDENTIAL_NAME, secrets: [apiKey] },
		);
		const data = (response.body as { data?: Array<{ index?: number; embedding?: unknown }> })?.data;
		if (response.status >= 400 || !Array.isArray(data) || data.length !== input.length) {
			const detail = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
			throw new AgenticError('upstream', `The embeddings API answered HTTP ${response.status} without ${input.length} embeddings: ${detail.slice(0, 300)}`, {
				httpStatus: response.status,
				field: 'model',
				description: `Check the embedding model name ("${model}") and that the endpoint serves OpenAI's /embeddings API.`,
			});
		}
		const vectors: number[][] = new Array(input.length);
		data.forEach((item, position) => {
			const index = typeof item.index === 'number' ? item.index : position;
			if (!Array.isArray(item.embedding) || index < 0 || index >= input.length) {
				throw new AgenticError('upstream', 'The embeddings API returned an embedding that is not a list of numbers', { field: 'model' });
			}
			vectors[index] = item.embedding as number[];
		});
		return vectors;
	}
}
