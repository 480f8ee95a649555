// The plate pipeline with a scripted detector and reader injected (no ONNX model): what it reads, re-reads, rescues and reports.
import { Alpr, type PlateFinder, type PlateReader } from '../../nodes/PlateDetector/vision/alpr';
import { decodeSlots, DEFAULT_ALPHABET, type SlotReading } from '../../nodes/PlateDetector/vision/ocr';
import type { FoundPlates, PlateDetection, RgbImage } from '../../nodes/PlateDetector/vision/types';

const A = DEFAULT_ALPHABET;

/** The reading of `text`, each character with probability `p` (runner-up `second` when given), padded to 9 slots. */
function reading(text: string, p = 0.99, second?: Record<number, string>, region?: string): SlotReading {
	const probs = new Float32Array(9 * A.length);
	for (let s = 0; s < 9; s++) {
		const ch = text[s] ?? '_';
		const prob = text[s] ? p : 1;
		probs[s * A.length + A.indexOf(ch)] = prob;
		if (second?.[s]) probs[s * A.length + A.indexOf(second[s])] = 1 - prob;
	}
	const decoded = decodeSlots(probs, 9, A);
	return region ? { ...decoded, region, regionConfidence: 0.9 } : decoded;
}

/** A detector that finds what it is told, on the provider it is told. */
class ScriptedDetector implements PlateFinder {
	readonly images: Array<{ width: number; height: number }> = [];
	constructor(
		private readonly found: FoundPlates,
		readonly provider: PlateFinder['provider'] = 'cpu',
		readonly providerNote?: string,
	) {}

	async detect(image: { width: number; height: number }): Promise<FoundPlates> {
		this.images.push({ width: image.width, height: image.height });
		return this.found;
	}
}

/** A reader that answers each call with the next scripted batch of readings, and records the crops it was given. */
class ScriptedReader implements PlateReader {
	readonly inputWidth = 16;
	readonly inputHeight = 8;
	readonly alphabet = A;
	readonly regions = ['Germany', 'United Kingdom'];
	readonly calls: Array<{ count: number; bytes: number; mean: number }> = [];
	constructor(private readonly answers: SlotReading[][]) {}

	async read(crops: Uint8Array, count: number): Promise<SlotReading[]> {
		this.calls.push({ count, bytes: crops.length, mean: crops.reduce((sum, v) => sum + v, 0) / crops.length });
		const answer = this.answers[this.calls.length - 1];
		if (!answer || answer.length !== count) throw new Error(`unscripted read of ${count} crops (call ${this.calls.length})`);
		return answer;
	}
}

/** A 100×50 grey picture with a white 40×10 "plate" at (30,20). */
function photo(): RgbImage {
	const width = 100;
	const height = 50;
	const data = new Uint8Array(width * height * 3).fill(60);
	for (let y = 20; y < 30; y++) data.fill(255, (y * width + 30) * 3, (y * width + 70) * 3);
	return { data, width, height };
}

const plateBox: PlateDetection = { box: { x1: 30, y1: 20, x2: 70, y2: 30 }, score: 0.8, classId: 0 };

describe('the plate pipeline with an injected detector and reader', () => {
	it('reads the plate the detector finds from a crop of the reader\'s size, and reports the detector\'s provider', async () => {
		const detector = new ScriptedDetector({ plates: [plateBox] }, 'cuda');
		const reader = new ScriptedReader([[reading('AB12CDE')]]);
		const alpr = new Alpr(detector, reader);

		const prediction = await alpr.predict(photo());

		expect(detector.images).toEqual([{ width: 100, height: 50 }]);
		expect(reader.calls).toHaveLength(1);
		expect(reader.calls[0]).toMatchObject({ count: 1, bytes: 16 * 8 * 3 });
		// The crop is mostly the white plate (the 10% margin adds some of the grey 60 around it).
		expect(reader.calls[0].mean).toBeGreaterThan(170);
		expect(prediction).toMatchObject({ width: 100, height: 50, provider: 'cuda' });
		expect(prediction.providerNote).toBeUndefined();
		expect(prediction.plates).toHaveLength(1);
		expect(prediction.plates[0]).toMatchObject({ plateText: 'AB12CDE', box: plateBox.box, detectionScore: 0.8, classId: 0 });
		expect(prediction.plates[0].confidence).toBeCloseTo((7 * 0.99 + 2) / 9, 3);
		expect(alpr.provider).toBe('cuda');
	});

	it('says why the GPU is not used, on the pipeline and on every prediction', async () => {
		const alpr = new Alpr(new ScriptedDetector({ plates: [] }, 'cpu', 'cuda unavailable: no GPU'), new ScriptedReader([]));
		const prediction = await alpr.predict(photo());
		expect(prediction).toMatchObject({ plates: [], provider: 'cpu', providerNote: 'cuda unavailable: no GPU' });
		expect(alpr.providerNote).toBe('cuda unavailable: no GPU');
	});

	it('re-reads an unsure plate from a looser and a tighter crop and keeps the most confident reading', async () => {
		const reader = new ScriptedReader([[reading('AB12CDF', 0.6)], [reading('AB12CDE', 0.97), reading('AB12CDE', 0.8)]]);
		const prediction = await new Alpr(new ScriptedDetector({ plates: [plateBox] }), reader).predict(photo());
		expect(reader.calls.map((c) => c.count)).toEqual([1, 2]);
		expect(prediction.plates.map((p) => p.plateText)).toEqual(['AB12CDE']);
		expect(prediction.plates[0].charConfidences).toEqual(new Array(7).fill(0.97));
	});

	it('reads each plate once when re-reading is off, however unsure the reader is', async () => {
		const reader = new ScriptedReader([[reading('AB12CDF', 0.6)]]);
		const prediction = await new Alpr(new ScriptedDetector({ plates: [plateBox] }), reader, { rereadCrops: false }).predict(photo());
		expect(reader.calls.map((c) => c.count)).toEqual([1]);
		expect(prediction.plates.map((p) => p.plateText)).toEqual(['AB12CDF']);
	});

	it('keeps a weak candidate only when the reader is sure of four or more of its characters', async () => {
		const weak: PlateDetection[] = [
			{ ...plateBox, score: 0.2 },
			{ box: { x1: 5, y1: 5, x2: 25, y2: 12 }, score: 0.18, classId: 0 },
			{ box: { x1: 75, y1: 35, x2: 95, y2: 45 }, score: 0.16, classId: 0 },
		];
		const reader = new ScriptedReader([[reading('WA56660'), reading('X1'), reading('QQ77', 0.5)]]);
		const prediction = await new Alpr(new ScriptedDetector({ plates: [], weak }), reader, { rereadCrops: false }).predict(photo());
		expect(prediction.plates.map((p) => [p.plateText, p.detectionScore])).toEqual([['WA56660', 0.2]]);
	});

	it('settles a letter/digit confusion by the plate pattern, in the reader\'s alphabet', async () => {
		// The reader says "ABI2CDE" with 1 as the runner-up of the I; the pattern wants a digit there.
		const reader = new ScriptedReader([[reading('ABI2CDE', 0.95, { 2: '1' })]]);
		const alpr = new Alpr(new ScriptedDetector({ plates: [plateBox] }), reader, { platePatterns: ['AA99AAA'], rereadCrops: false });
		const prediction = await alpr.predict(photo());
		expect(prediction.plates.map((p) => p.plateText)).toEqual(['AB12CDE']);
	});

	it('refuses a plate pattern with characters other than A, 9 and ?', () => {
		expect(() => new Alpr(new ScriptedDetector({ plates: [] }), new ScriptedReader([]), { platePatterns: ['AB-12'] })).toThrow(
			'Plate pattern "AB-12" may only use A (letter), 9 (digit) and ? (any)',
		);
	});

	it('applies plate patterns only to plates the reader places in the chosen regions, and reports each plate\'s region', async () => {
		const ukAndGerman = [[reading('ABI2CDE', 0.95, { 2: '1' }, 'United Kingdom'), reading('ABI2CDE', 0.95, { 2: '1' }, 'Germany')]];
		const detector = new ScriptedDetector({ plates: [plateBox, { ...plateBox, score: 0.7 }] });
		const alpr = new Alpr(detector, new ScriptedReader(ukAndGerman), { platePatterns: ['AA99AAA'], regions: ['united kingdom'], rereadCrops: false });
		const prediction = await alpr.predict(photo());
		expect(prediction.plates.map((p) => [p.plateText, p.region, p.regionConfidence])).toEqual([
			['AB12CDE', 'United Kingdom', 0.9],
			['ABI2CDE', 'Germany', 0.9],
		]);
		expect([alpr.inRegions('United Kingdom'), alpr.inRegions('Germany'), alpr.inRegions(undefined)]).toEqual([true, false, false]);
		expect(new Alpr(detector, new ScriptedReader([])).inRegions(undefined)).toBe(true);
	});

	it('refuses a region the reader does not know, and regions with a reader that tells none', () => {
		expect(() => new Alpr(new ScriptedDetector({ plates: [] }), new ScriptedReader([]), { regions: ['Atlantis'] })).toThrow(/^Unknown region "Atlantis"$/);
		const noRegions = Object.assign(new ScriptedReader([]), { regions: [] });
		expect(() => new Alpr(new ScriptedDetector({ plates: [] }), noRegions, { regions: ['Germany'] })).toThrow(
			"Regions (Germany) need a reader that tells the plate's country, and this OCR model does not",
		);
	});
});
