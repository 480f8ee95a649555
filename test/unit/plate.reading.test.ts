// Reading logic without models: slot decoding, plate patterns, crop warping, watchlist matching, frame voting.
import { boxQuad, warpQuad } from '../../nodes/PlateDetector/vision/decode';
import { applyPlatePatterns, decodeSlots, DEFAULT_ALPHABET, validatePlatePatterns } from '../../nodes/PlateDetector/vision/ocr';
import type { PlateResult } from '../../nodes/PlateDetector/vision/alpr';
import { checkStreamUrl, PlateTracker } from '../../nodes/PlateDetector/vision/video';
import { matchWatchlist, plateDistance } from '../../nodes/PlateDetector/vision/watchlist';

const A = DEFAULT_ALPHABET;

/** Slot probabilities where each slot puts `p` on its char and the rest on one runner-up. */
function slots(chars: Array<[string, number, string?]>, total = 9): Float32Array {
	const probs = new Float32Array(total * A.length);
	for (let s = 0; s < total; s++) {
		const [ch, p, second] = chars[s] ?? ['_', 1];
		probs[s * A.length + A.indexOf(ch)] = p;
		if (second) probs[s * A.length + A.indexOf(second)] = 1 - p;
	}
	return probs;
}

describe('decodeSlots', () => {
	it('drops padding slots and reports per-character confidences', () => {
		const r = decodeSlots(slots([['A', 0.9], ['B', 0.8], ['1', 0.7]]), 9, A);
		expect(r.plateText).toBe('AB1');
		expect(r.charConfidences).toEqual([0.9, 0.8, 0.7]);
		expect(r.confidence).toBeCloseTo((0.9 + 0.8 + 0.7 + 6) / 9, 3);
	});
});

describe('plate patterns', () => {
	it('settles O/0 and I/1 by the slot class the pattern asks for, using the model\'s runner-up', () => {
		// Model says "OY0SFEU" with the digit/letter doubts as runner-ups; the UK format is AA99AAA.
		const raw = decodeSlots(slots([['0', 0.6, 'O'], ['Y', 1], ['O', 0.55, '0'], ['S', 0.6, '9'], ['F', 1], ['E', 1], ['U', 1]]), 9, A);
		expect(raw.plateText).toBe('0YOSFEU');
		expect(applyPlatePatterns(raw, ['AA99AAA'], A).plateText).toBe('OY09FEU');
	});

	it('leaves a reading alone when no pattern has its length', () => {
		const raw = decodeSlots(slots([['O', 0.6, '0'], ['1', 0.9, 'I']]), 9, A);
		expect(applyPlatePatterns(raw, ['AA99AAA'], A).plateText).toBe('O1');
	});

	it('rejects a pattern with characters other than A, 9 and ?', () => {
		expect(() => validatePlatePatterns(['AA-99'])).toThrow(/may only use A \(letter\), 9 \(digit\) and \? \(any\)/);
		expect(validatePlatePatterns([' aa99aaa ', ''])).toEqual(['AA99AAA']);
	});
});

describe('warpQuad', () => {
	const src = { width: 4, height: 2, data: new Uint8Array([...Array(8)].flatMap((_, i) => [i * 10, 0, 255 - i * 10])) };

	it('reproduces the image when the quad is the whole image at the same size', () => {
		const out = warpQuad(src, boxQuad({ x1: 0, y1: 0, x2: 4, y2: 2 }), 4, 2);
		expect([...out]).toEqual([...src.data]);
	});

	it('rectifies a skewed quad: a parallelogram maps back to an upright patch', () => {
		// A 20×10 image whose left half is black and right half white, sheared so the split leans.
		const w = 20;
		const h = 10;
		const data = new Uint8Array(w * h * 3);
		for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(x >= 10 + y * 0.5 - 2.5 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
		const out = warpQuad({ data, width: w, height: h }, [{ x: 2.5, y: 0 }, { x: 17.5, y: 0 }, { x: 22.5, y: 10 }, { x: 7.5, y: 10 }], 10, 10);
		for (let y = 1; y < 9; y++) {
			expect(out[(y * 10 + 2) * 3]).toBeLessThan(40);
			expect(out[(y * 10 + 7) * 3]).toBeGreaterThan(215);
		}
	});
});

describe('watchlist matching', () => {
	it('counts an OCR confusion as half an edit and any other difference as one', () => {
		expect(plateDistance('AB12CDE', 'AB12CDE')).toBe(0);
		expect(plateDistance('A812CDE', 'AB12CDE')).toBe(0.5);
		expect(plateDistance('A8I2CDE', 'AB12CDE')).toBe(1);
		expect(plateDistance('AX12CDE', 'AB12CDE')).toBe(1);
		expect(plateDistance('AB12CD', 'AB12CDE')).toBe(1);
	});

	it('returns the closest entry within the max distance, ignoring case and separators', () => {
		expect(matchWatchlist('OY09FEU', ['XX11XXX', 'oy-o9 feu'], 1)).toEqual({ entry: 'oy-o9 feu', distance: 0.5 });
		expect(matchWatchlist('5AU5341', ['SAU5341', '5AU5341'], 1)).toEqual({ entry: '5AU5341', distance: 0 });
		expect(matchWatchlist('ZZ99ZZZ', ['AB12CDE'], 1)).toBeUndefined();
		expect(matchWatchlist('A812CDE', ['AB12CDE'], 0)).toBeUndefined();
	});
});

describe('PlateTracker', () => {
	const plate = (text: string, confidence: number, x: number): PlateResult => ({
		plateText: text,
		confidence,
		charConfidences: [],
		box: { x1: x, y1: 100, x2: x + 100, y2: 130 },
		detectionScore: 0.8,
		classId: 0,
		slotReading: undefined as never,
	});

	it('reports a plate seen in consecutive frames once, with the reading most frames agree on', () => {
		const t = new PlateTracker();
		t.add(0, 0, [plate('AB12CDE', 0.9, 100)]);
		t.add(1, 0.2, [plate('A812CDE', 0.95, 105)]);
		t.add(2, 0.4, [plate('AB12CDE', 0.85, 110), plate('XY99ZZZ', 0.9, 600)]);
		t.add(3, 0.6, [plate('AB12CDE', 0.8, 115)]);
		const out = t.finish();
		expect(out.map((p) => p.best.plateText)).toEqual(['AB12CDE', 'XY99ZZZ']);
		expect(out[0]).toMatchObject({ frames: 4, votes: 3, firstSeenSeconds: 0, lastSeenSeconds: 0.6, timestampSeconds: 0 });
		expect(out[1]).toMatchObject({ frames: 1, votes: 1, firstSeenSeconds: 0.4 });
	});

	it('starts a new report when the same plate comes back after a gap', () => {
		const t = new PlateTracker(2);
		t.add(0, 0, [plate('AB12CDE', 0.9, 100)]);
		t.add(10, 2, [plate('AB12CDE', 0.9, 100)]);
		expect(t.finish().map((p) => p.firstSeenSeconds)).toEqual([0, 2]);
	});
});

describe('stream URLs', () => {
	it('accepts only rtsp, http and https', () => {
		expect(checkStreamUrl('rtsp://cam.local/stream').protocol).toBe('rtsp:');
		expect(() => checkStreamUrl('file:///etc/passwd')).toThrow('Stream URL scheme "file:" is not allowed');
		expect(() => checkStreamUrl('concat:a|b')).toThrow(/not allowed|not a valid URL/);
		expect(() => checkStreamUrl('not a url')).toThrow('is not a valid URL');
	});
});
