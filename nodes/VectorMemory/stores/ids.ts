// Ids in UUID form derived from content, accepted as they are by every backend (Qdrant included).
import { createHash } from 'node:crypto';

export function contentIdFor(text: string): string {
	const h = createHash('sha256').update(text, 'utf8').digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
