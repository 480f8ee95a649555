// The HTTP plumbing the model fakes share: read a request body, answer JSON, and a rough token count so usage figures move with the text.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** Answers `body` as JSON (a string is sent as it is); nothing once the client has gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	if (res.destroyed) return;
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Rough token count, like the providers' ~4 characters per token. */
export function approxTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}
