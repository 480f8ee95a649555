// Watchlist matching that forgives the characters OCR confuses (O/0, I/1, B/8, S/5) more than other differences.
export interface WatchlistMatch {
	entry: string;
	/** Edit distance where a confusable swap costs 0.5 and any other edit 1. */
	distance: number;
}

const CONFUSABLE: Record<string, string> = { O: '0', '0': 'O', I: '1', '1': 'I', B: '8', '8': 'B', S: '5', '5': 'S' };

export function normalizePlate(text: string): string {
	return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Levenshtein distance with a chosen cost for substituting one character by another (insertions and deletions cost 1). */
export function editDistance(a: string, b: string, substitution: (x: string, y: string) => number = (x, y) => (x === y ? 0 : 1)): number {
	const row = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let prev = row[0];
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const tmp = row[j];
			row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + substitution(a[i - 1], b[j - 1]));
			prev = tmp;
		}
	}
	return row[b.length];
}

export function plateDistance(a: string, b: string): number {
	return editDistance(a, b, (x, y) => (x === y ? 0 : CONFUSABLE[x] === y ? 0.5 : 1));
}

/** The closest entry within `maxDistance` (ties: the first listed), or undefined. */
export function matchWatchlist(plateText: string, entries: string[], maxDistance = 1): WatchlistMatch | undefined {
	const read = normalizePlate(plateText);
	if (!read) return undefined;
	let best: WatchlistMatch | undefined;
	for (const entry of entries) {
		const clean = normalizePlate(entry);
		if (!clean) continue;
		const distance = plateDistance(read, clean);
		if (distance <= maxDistance && (!best || distance < best.distance)) best = { entry, distance };
	}
	return best;
}
