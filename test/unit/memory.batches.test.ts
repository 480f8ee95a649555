// Splitting what a backend sends into requests its service accepts: item and byte limits, order kept, nothing lost.
import { sendInBatches, sizeLimitedBatches } from '../../nodes/VectorMemory/stores/batches';

const bytesOf = (batch: unknown[]) => Buffer.byteLength(JSON.stringify(batch));

describe('sizeLimitedBatches', () => {
	it('cuts at the item limit, keeping the order', () => {
		const items = Array.from({ length: 2500 }, (_, i) => i);
		const batches = sizeLimitedBatches(items, { maxItems: 1000 });
		expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
		expect(batches.flat()).toEqual(items);
	});

	it('cuts before a batch would pass the byte limit, counting each item as JSON in an array', () => {
		const items = Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, text: 'x'.repeat(90) }));
		const maxBytes = 1000;
		const batches = sizeLimitedBatches(items, { maxBytes });
		expect(batches.length).toBeGreaterThan(5);
		for (const batch of batches) expect(bytesOf(batch)).toBeLessThanOrEqual(maxBytes);
		// Each batch is as full as it may be: the next item would not have fitted.
		for (let i = 0; i < batches.length - 1; i++) expect(bytesOf([...batches[i], batches[i + 1][0]])).toBeGreaterThan(maxBytes);
		expect(batches.flat()).toEqual(items);
	});

	it('applies whichever limit comes first', () => {
		const small = Array.from({ length: 30 }, (_, i) => i);
		expect(sizeLimitedBatches(small, { maxItems: 10, maxBytes: 1_000_000 }).map((b) => b.length)).toEqual([10, 10, 10]);
		const large = Array.from({ length: 6 }, () => 'y'.repeat(400));
		expect(sizeLimitedBatches(large, { maxItems: 10, maxBytes: 1000 }).map((b) => b.length)).toEqual([2, 2, 2]);
	});

	it('sends an item larger than the byte limit alone rather than dropping it', () => {
		const items = ['a', 'b'.repeat(5000), 'c'];
		expect(sizeLimitedBatches(items, { maxBytes: 100 })).toEqual([['a'], ['b'.repeat(5000)], ['c']]);
	});

	it('makes no batch of nothing', () => {
		expect(sizeLimitedBatches([], { maxItems: 5, maxBytes: 100 })).toEqual([]);
	});
});

describe('sendInBatches', () => {
	it('sends batches one after another and stops at the first that fails', async () => {
		const sent: number[][] = [];
		let inFlight = 0;
		const send = async (batch: number[]) => {
			inFlight++;
			expect(inFlight).toBe(1);
			await new Promise((resolve) => setTimeout(resolve, 1));
			inFlight--;
			if (batch.includes(3)) throw new Error('refused');
			sent.push(batch);
		};
		await expect(sendInBatches([1, 2, 3, 4, 5, 6, 7], { maxItems: 2 }, send)).rejects.toThrow('refused');
		expect(sent).toEqual([[1, 2]]);
	});
});
