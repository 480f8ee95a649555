// Adapts n8n's HTTP helper (which honours n8n's proxy and TLS settings) to the engines' HttpTransport.
import type { IExecuteFunctions, IHttpRequestOptions, ISupplyDataFunctions } from 'n8n-workflow';
import { parseBody, type HttpTransport } from './http';

async function streamText(stream: AsyncIterable<Buffer | string>): Promise<string> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(Buffer.from(part));
	return Buffer.concat(parts).toString('utf8');
}

export function n8nTransport(ctx: IExecuteFunctions | ISupplyDataFunctions): HttpTransport {
	return async (request) => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: request.headers,
			body: request.body as IHttpRequestOptions['body'],
			json: request.body !== undefined && typeof request.body !== 'string' && !Buffer.isBuffer(request.body),
			timeout: request.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: request.stream ? 'stream' : 'text',
			abortSignal: request.signal,
		};
		let response: { statusCode: number; headers: Record<string, unknown>; body: unknown };
		try {
			response = await ctx.helpers.httpRequest(options);
		} catch (error) {
			const code = (error as { code?: string }).code;
			const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test((error as Error).message);
			throw Object.assign(new Error((error as Error).message), { code: timedOut ? 'ETIMEDOUT' : (code ?? 'ENETWORK') });
		}
		const headers: Record<string, string> = {};
		for (const [key, value] of Object.entries(response.headers ?? {})) headers[key.toLowerCase()] = String(value);
		const ok = response.statusCode >= 200 && response.statusCode < 300;
		// Only a success is streamed; an error's body is read whole, for its message.
		const raw = request.stream && !ok ? await streamText(response.body as AsyncIterable<Buffer | string>) : response.body;
		const body = typeof raw === 'string' ? parseBody(raw, headers['content-type']) : raw;
		return { status: response.statusCode, headers, body };
	};
}
