// Splits long texts into overlapping chunks, preferring to cut at paragraph, sentence or word boundaries.
import { AgenticError } from '../shared/errors';

export interface ChunkOptions {
	/** Maximum characters per chunk. */
	chunkSize: number;
	/** Characters repeated from the end of one chunk at the start of the next. */
	chunkOverlap: number;
}

export function chunkText(text: string, { chunkSize, chunkOverlap }: ChunkOptions): string[] {
	if (!Number.isInteger(chunkSize) || chunkSize < 1) {
		throw new AgenticError('invalid_input', `Chunk Size must be a positive whole number, got ${chunkSize}`, { field: 'chunkSize' });
	}
	if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
		throw new AgenticError('invalid_input', `Chunk Overlap must be at least 0 and less than Chunk Size (${chunkSize}), got ${chunkOverlap}`, {
			field: 'chunkOverlap',
		});
	}
	const clean = text.trim();
	if (clean.length <= chunkSize) return clean ? [clean] : [];
	const chunks: string[] = [];
	let start = 0;
	while (start < clean.length) {
		let end = Math.min(clean.length, start + chunkSize);
		if (end < clean.length) {
			// Cut at the last natural boundary in the second half of the window, so chunks stay readable.
			const window = clean.slice(start, end);
			const minCut = Math.floor(chunkSize / 2);
			for (const boundary of ['\n\n', '\n', '. ', ' ']) {
				const at = window.lastIndexOf(boundary);
				if (at >= minCut) {
					end = start + at + boundary.length;
					break;
				}
			}
		}
		const chunk = clean.slice(start, end).trim();
		if (chunk) chunks.push(chunk);
		if (end >= clean.length) break;
		start = Math.max(start + 1, end - chunkOverlap);
	}
	return chunks;
}
