// Splits what a backend sends into requests its service accepts: at most so many items, at most so many bytes of JSON each.

export interface BatchLimits {
	/** Items per request. */
	maxItems?: number;
	/** Bytes of the batch as a JSON array; an item larger than this still goes, alone. */
	maxBytes?: number;
}

/** A batch as a JSON array is its items, a comma after each but the last, and two brackets: 1 + Σ(item + 1) bytes. */
const BRACKETS_LESS_ONE_COMMA = 1;

/** Consecutive batches in input order; every item lands in exactly one. */
export function sizeLimitedBatches<T>(items: readonly T[], { maxItems = Infinity, maxBytes = Infinity }: BatchLimits): T[][] {
	const batches: T[][] = [];
	let batch: T[] = [];
	let bytes = BRACKETS_LESS_ONE_COMMA;
	for (const item of items) {
		// Only measured when a byte limit applies: serialising large vectors twice is not free.
		const size = maxBytes === Infinity ? 0 : Buffer.byteLength(JSON.stringify(item)) + 1;
		if (batch.length > 0 && (batch.length >= maxItems || bytes + size > maxBytes)) {
			batches.push(batch);
			batch = [];
			bytes = BRACKETS_LESS_ONE_COMMA;
		}
		batch.push(item);
		bytes += size;
	}
	if (batch.length > 0) batches.push(batch);
	return batches;
}

/** Sends each batch in turn, waiting for one before the next, so a failure stops what follows. */
export async function sendInBatches<T>(items: readonly T[], limits: BatchLimits, send: (batch: T[]) => Promise<unknown>): Promise<void> {
	for (const batch of sizeLimitedBatches(items, limits)) await send(batch);
}
