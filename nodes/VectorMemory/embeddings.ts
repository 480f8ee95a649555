// Embeds texts with an OpenAI-compatible /embeddings endpoint: batched, retried, checked for shape.
import { AgenticError } from '../shared/errors';
import { fetchTransport, requestWithRetry, type HttpTransport, type RetryOptions } from '../shared/http';
import { OPENAI_CREDENTIAL_NAME, openAiCompatibleEndpoint } from '../shared/openAiCompatible';

/** Anything that turns texts into vectors, in order (the node uses the HTTP client or an Embeddings sub-node; tests may pass their own). */
export interface Embedder {
	embed(texts: string[]): Promise<number[][]>;
	/** A question's vector, where the model embeds questions differently from documents. Without it, embed([text]). */
	embedQuery?(text: string): Promise<number[]>;
	/** Where the vectors come from, as errors name it (e.g. 'the Embeddings sub-node "Embeddings Ollama"'). */
	readonly source?: string;
}

/** What n8n's Embeddings sub-nodes supply: LangChain's Embeddings interface, used by its two methods alone. */
export interface EmbeddingsModel {
	embedDocuments(texts: string[]): Promise<unknown>;
	embedQuery(text: string): Promise<unknown>;
}

export function isEmbeddingsModel(value: unknown): value is EmbeddingsModel {
	const model = value as Partial<EmbeddingsModel> | null | undefined;
	return typeof model?.embedDocuments === 'function' && typeof model.embedQuery === 'function';
}

/** Embeds through an Embeddings sub-node; what it returns is checked as any embedder's vectors are. */
export class EmbeddingsModelEmbedder implements Embedder {
	constructor(
		private readonly model: EmbeddingsModel,
		readonly source: string,
	) {}

	async embed(texts: string[]): Promise<number[][]> {
		return checkVectors(await this.model.embedDocuments(texts), texts.length, this.source);
	}

	async embedQuery(text: string): Promise<number[]> {
		return checkVectors([await this.model.embedQuery(text)], 1, this.source)[0];
	}
}

function badVectors(source: string, why: string): AgenticError {
	return new AgenticError('invalid_input', `${capitalise(source)} returned unusable embeddings: ${why}`, {
		field: 'embedding',
		description: `Nothing was written. Check ${source}: its model must return one list of numbers of one fixed size per text.`,
	});
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** One vector per text, all of one size, every value a finite number: else an error naming the source, before anything is stored. */
export function checkVectors(vectors: unknown, count: number, source = 'the embeddings API'): number[][] {
	if (!Array.isArray(vectors) || vectors.length !== count) {
		throw badVectors(source, `expected ${count} vectors, got ${Array.isArray(vectors) ? vectors.length : typeof vectors}`);
	}
	const size = Array.isArray(vectors[0]) ? vectors[0].length : 0;
	vectors.forEach((vector: unknown, index) => {
		if (!Array.isArray(vector) || vector.length === 0) throw badVectors(source, `vector ${index + 1} is not a list of numbers`);
		if (vector.length !== size) throw badVectors(source, `vectors of varying size (${size} and ${vector.length} dimensions)`);
		const bad = vector.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
		if (bad >= 0) throw badVectors(source, `vector ${index + 1} holds ${String(vector[bad])} at position ${bad + 1}, not a finite number`);
	});
	return vectors as number[][];
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
	readonly source: string;

	constructor(private readonly options: OpenAiEmbedderOptions) {
		this.source = `the embedding model "${options.model}"`;
	}

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
