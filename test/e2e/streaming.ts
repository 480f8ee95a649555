// Reads a streaming webhook's answer as n8n sends it: one JSON line per chunk (begin, item, end), each with the time it arrived.

/** Calls a streaming webhook and reads n8n's JSON lines as they come, noting when each arrived. */
export async function streamWebhook(url: string, body: unknown): Promise<{ chunks: Array<{ type: string; content?: string; at: number }>; startedAt: number }> {
	const startedAt = Date.now();
	const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const chunks: Array<{ type: string; content?: string; at: number }> = [];
	const decoder = new TextDecoder();
	let buffered = '';
	for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
		buffered += decoder.decode(part, { stream: true });
		const lines = buffered.split('\n');
		buffered = lines.pop() ?? '';
		for (const line of lines.filter((l) => l.trim())) chunks.push({ ...JSON.parse(line), at: Date.now() });
	}
	if (buffered.trim()) chunks.push({ ...JSON.parse(buffered), at: Date.now() });
	return { chunks, startedAt };
}
