// `npm run bench -- memory`: the embedded memory store on 100,000 seeded random unit vectors of 1536 dims:
// insert rate, top-10 query latency and recall against exact search, peak RSS, and the same queries over a
// plain in-memory JS array scan (what n8n's Simple Vector Store does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';

function argValue(args: string[], name: string, fallback: number): number {
	const at = args.indexOf(`--${name}`);
	return at >= 0 ? Number(args[at + 1]) : fallback;
}

/** mulberry32: a small seeded PRNG, so every run measures the same data. */
function prng(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function randomUnit(next: () => number, dims: number): number[] {
	const v = new Array<number>(dims);
	let norm = 0;
	for (let i = 0; i < dims; i++) {
		// Sum of uniforms: close enough to Gaussian for directions spread over the sphere.
		const x = next() + next() + next() - 1.5;
		v[i] = x;
		norm += x * x;
	}
	norm = Math.sqrt(norm);
	for (let i = 0; i < dims; i++) v[i] /= norm;
	return v;
}

/** Cosine similarity as LangChain's MemoryVectorStore (behind n8n's Simple Vector Store) computes it: on plain arrays. */
function cosine(a: number[], b: number[]): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i] * b[i];
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

export async function run(args: string[]) {
	const vectors = argValue(args, 'vectors', 100_000);
	const dims = argValue(args, 'dims', 1536);
	const queries = argValue(args, 'queries', 100);
	const jsQueries = argValue(args, 'js-queries', 20);
	const batch = 1000;
	let peakRss = process.memoryUsage().rss;
	const sampleRss = () => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	};
	const rssTimer = setInterval(sampleRss, 50);

	const dir = mkdtempSync(join(tmpdir(), 'memory-bench-'));
	try {
		const store = new EmbeddedStore({ directory: dir });
		const next = prng(42);
		const corpus: number[][] = [];
		let insertMs = 0;
		for (let start = 0; start < vectors; start += batch) {
			const records = [];
			for (let i = start; i < Math.min(vectors, start + batch); i++) {
				const vector = randomUnit(next, dims);
				corpus.push(vector);
				records.push({ id: `v${i}`, vector, text: `document ${i}`, metadata: { n: i } });
			}
			const t0 = performance.now();
			await store.insert('bench', records);
			insertMs += performance.now() - t0;
			sampleRss();
		}
		const insertPerSec = vectors / (insertMs / 1000);
		console.log(JSON.stringify({ phase: 'insert', vectors, dims, batch, seconds: round(insertMs / 1000), insertPerSec: round(insertPerSec) }));

		const queryNext = prng(7);
		const queryVectors = Array.from({ length: queries }, () => randomUnit(queryNext, dims));
		// Exact answers from a full float64 scan: the ground truth for recall.
		const truth = queryVectors.map((q) => {
			const scores = corpus.map((v, i) => ({ i, s: cosine(q, v) }));
			scores.sort((a, b) => b.s - a.s);
			return new Set(scores.slice(0, 10).map((x) => `v${x.i}`));
		});
		await store.search('bench', { vector: queryVectors[0], topK: 10 }); // warm-up
		const times: number[] = [];
		let found = 0;
		for (let q = 0; q < queries; q++) {
			const t0 = performance.now();
			const hits = await store.search('bench', { vector: queryVectors[q], topK: 10 });
			times.push(performance.now() - t0);
			found += hits.filter((h) => truth[q].has(h.id)).length;
		}
		sampleRss();
		const recallAt10 = found / (queries * 10);
		console.log(JSON.stringify({ phase: 'query', queries, queryMsP50: round(percentile(times, 50)), queryMsP95: round(percentile(times, 95)), recallAt10 }));

		// n8n's Simple Vector Store: objects holding plain number arrays, a similarity per entry, then a sort.
		const memoryVectors = corpus.map((embedding, i) => ({ content: `document ${i}`, embedding, metadata: { n: i } }));
		const jsTimes: number[] = [];
		for (let q = 0; q < jsQueries; q++) {
			const t0 = performance.now();
			const ranked = memoryVectors
				.map((doc, index) => ({ similarity: cosine(queryVectors[q], doc.embedding), index }))
				.sort((a, b) => b.similarity - a.similarity)
				.slice(0, 10);
			jsTimes.push(performance.now() - t0);
			if (ranked.length !== 10) throw new Error('JS scan returned too few results');
		}
		sampleRss();
		console.log(JSON.stringify({ phase: 'jsScan', queries: jsQueries, jsScanQueryMsP50: round(percentile(jsTimes, 50)) }));

		clearInterval(rssTimer);
		sampleRss();
		console.log(
			JSON.stringify({
				suite: 'memory',
				vectors,
				dims,
				insertPerSec: round(insertPerSec),
				queryMsP50: round(percentile(times, 50)),
				recallAt10,
				jsScanQueryMsP50: round(percentile(jsTimes, 50)),
				peakRssMb: round(peakRss / 1024 / 1024, 1),
			}),
		);
	} finally {
		clearInterval(rssTimer);
		rmSync(dir, { recursive: true, force: true });
	}
}
