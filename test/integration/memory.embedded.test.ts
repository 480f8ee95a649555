// The embedded store's durability and sharing: kill -9 mid-insert loses no committed batch, several processes write at once, data survives a restart.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';

const repo = join(__dirname, '..', '..');
const storeModule = join(repo, 'nodes', 'VectorMemory', 'stores', 'embedded.ts');
const DIMS = 384;
const BATCH = 40;

/** A writer process: inserts batches of BATCH records and prints "committed <n>" after each one resolves. */
const writerScript = (dir: string, prefix: string, batches: number) => `
import { EmbeddedStore } from ${JSON.stringify(storeModule)};
const store = new EmbeddedStore({ directory: ${JSON.stringify(dir)} });
function vec(seed: number) { const v: number[] = []; let x = seed * 2654435761 % 4294967296; for (let i = 0; i < ${DIMS}; i++) { x = (x * 1103515245 + 12345) % 2147483648; v.push(x / 2147483648 - 0.5); } return v; }
(async () => {
	for (let b = 0; b < ${batches}; b++) {
		const records = Array.from({ length: ${BATCH} }, (_, i) => ({ id: '${prefix}-' + b + '-' + i, vector: vec(b * 1000 + i + 1), text: 'batch ' + b + ' item ' + i, metadata: { batch: b, writer: '${prefix}' } }));
		await store.insert('shared', records);
		process.stdout.write('committed ' + b + '\\n');
	}
})();
`;

function startWriter(dir: string, prefix: string, batches: number) {
	const file = join(dir, `${prefix}-writer.ts`);
	writeFileSync(file, writerScript(dir, prefix, batches));
	const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
	const committed: number[] = [];
	let stderr = '';
	child.stdout.on('data', (data: Buffer) => {
		for (const m of data.toString().matchAll(/committed (\d+)/g)) committed.push(Number(m[1]));
	});
	child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, committed, exited, stderr: () => stderr };
}

async function batchSizes(store: EmbeddedStore, writer: string, batches: number): Promise<number[]> {
	const probe = Array.from({ length: DIMS }, (_, i) => (i % 2 ? 1 : -1));
	const sizes: number[] = [];
	for (let b = 0; b < batches; b++) {
		sizes.push((await store.search('shared', { vector: probe, topK: 1000, filter: { batch: b, writer } })).length);
	}
	return sizes;
}

describe('Embedded memory store on disk', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'memory-embedded-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('keeps every committed batch and stays consistent after kill -9 in the middle of inserting', async () => {
		for (let round = 0; round < 3; round++) {
			const writer = startWriter(dir, `r${round}`, 10_000);
			const killAfter = 5 + round * 7;
			await new Promise<void>((resolve, reject) => {
				const timer = setInterval(() => {
					if (writer.committed.length >= killAfter) {
						clearInterval(timer);
						// A random extra delay lands the kill at a different point of a batch each time.
						setTimeout(resolve, Math.random() * 15);
					}
				}, 1);
				writer.exited.then(() => reject(new Error(`writer exited early: ${writer.stderr()}`)));
			});
			writer.child.kill('SIGKILL');
			await writer.exited;
			const reported = writer.committed.length;

			const store = new EmbeddedStore({ directory: dir });
			const sizes = await batchSizes(store, `r${round}`, reported + 2);
			// Every reported batch is whole; the one in flight is whole or absent; nothing after it.
			expect(sizes.slice(0, reported)).toEqual(new Array(reported).fill(BATCH));
			expect([0, BATCH]).toContain(sizes[reported]);
			expect(sizes[reported + 1]).toBe(0);
			const before = (await store.stats('shared')).count;
			// Earlier rounds each added one record after their crash; all else comes in whole batches.
			expect((before - round) % BATCH).toBe(0);
			// The next writer cuts off the crashed batch's leftovers and appends cleanly.
			await store.insert('shared', [{ id: `after-${round}`, vector: new Array(DIMS).fill(1), text: 'after crash', metadata: {} }]);
			expect((await store.stats('shared')).count).toBe(before + 1);
		}
		// A fresh process reading the same folder sees exactly what this one sees.
		const reader = join(dir, 'reader.ts');
		writeFileSync(
			reader,
			`import { EmbeddedStore } from ${JSON.stringify(storeModule)};
			new EmbeddedStore({ directory: ${JSON.stringify(dir)} }).stats('shared').then((s) => console.log(JSON.stringify(s)));`,
		);
		const out = await new Promise<string>((resolve) => {
			const child = spawn(process.execPath, ['--import', 'tsx', reader], { cwd: repo });
			let text = '';
			child.stdout.on('data', (d: Buffer) => (text += d.toString()));
			child.on('exit', () => resolve(text));
		});
		const store = new EmbeddedStore({ directory: dir });
		expect(JSON.parse(out)).toEqual(await store.stats('shared'));
		expect(readFileSync(join(dir, 'shared', 'log.jsonl'), 'utf8').endsWith('\n')).toBe(true);
	}, 120_000);

	it('loses nothing when several processes and concurrent executions write the same namespace', async () => {
		const a = startWriter(dir, 'pa', 15);
		const b = startWriter(dir, 'pb', 15);
		const store = new EmbeddedStore({ directory: dir });
		const local = Array.from({ length: 10 }, (_, k) =>
			store.insert('shared', [{ id: `local-${k}`, vector: Array.from({ length: DIMS }, (_, i) => Math.sin(i + k)), text: `local ${k}`, metadata: { writer: 'local' } }]),
		);
		await Promise.all(local);
		expect(await a.exited).toBe(0);
		expect(await b.exited).toBe(0);
		expect((await store.stats('shared')).count).toBe(2 * 15 * BATCH + 10);
		expect(await batchSizes(store, 'pa', 15)).toEqual(new Array(15).fill(BATCH));
		expect(await batchSizes(store, 'pb', 15)).toEqual(new Array(15).fill(BATCH));
	}, 120_000);

	it('compacts once replaced rows outnumber live ones, and frees the space of a clear, without changing answers', async () => {
		const store = new EmbeddedStore({ directory: dir });
		const dims = 32;
		const make = (round: number) =>
			Array.from({ length: 1200 }, (_, i) => ({
				id: `doc-${i}`,
				vector: Array.from({ length: dims }, (_, d) => Math.sin(i * 7 + d + round)),
				text: `doc ${i} v${round}`,
				metadata: { i, round },
			}));
		await store.insert('compact', make(0));
		await store.insert('compact', make(1));
		const folder = join(dir, 'compact');
		expect(existsSync(join(folder, 'CURRENT'))).toBe(false);
		await store.insert('compact', make(2)); // 2400 replaced rows > 1200 live ones: compaction
		expect(readFileSync(join(folder, 'CURRENT'), 'utf8')).toBe('1');
		expect(statSync(join(folder, 'vectors.1.f32')).size).toBe(1200 * dims * 4);
		expect(existsSync(join(folder, 'vectors.f32'))).toBe(false);
		expect(await store.stats('compact')).toEqual({ count: 1200, dimensions: dims });
		const probe = make(2)[77];
		const [hit] = await store.search('compact', { vector: probe.vector, topK: 1 });
		expect(hit).toMatchObject({ id: 'doc-77', text: 'doc 77 v2', metadata: { i: 77, round: 2 } });

		// Another process follows the switch to the new files and sees the same store.
		const reader = join(dir, 'reader.ts');
		writeFileSync(
			reader,
			`import { EmbeddedStore } from ${JSON.stringify(storeModule)};
			const s = new EmbeddedStore({ directory: ${JSON.stringify(dir)} });
			s.search('compact', { vector: ${JSON.stringify(probe.vector)}, topK: 1 }).then(async (h) => console.log(JSON.stringify({ id: h[0].id, stats: await s.stats('compact') })));`,
		);
		const out = await new Promise<string>((resolve) => {
			const child = spawn(process.execPath, ['--import', 'tsx', reader], { cwd: repo });
			let text = '';
			child.stdout.on('data', (d: Buffer) => (text += d.toString()));
			child.on('exit', () => resolve(text));
		});
		expect(JSON.parse(out)).toEqual({ id: 'doc-77', stats: { count: 1200, dimensions: dims } });

		await store.clear('compact');
		expect(readFileSync(join(folder, 'CURRENT'), 'utf8')).toBe('2');
		expect(statSync(join(folder, 'vectors.2.f32')).size).toBe(0);
		expect(await store.stats('compact')).toEqual({ count: 0, dimensions: null });
		await store.insert('compact', make(3).slice(0, 5));
		expect((await store.stats('compact')).count).toBe(5);
	}, 60_000);

	it('survives kill -9 while rewriting the same records over and over (compactions included)', async () => {
		const file = join(dir, 'rewriter.ts');
		writeFileSync(
			file,
			`import { EmbeddedStore } from ${JSON.stringify(storeModule)};
			const store = new EmbeddedStore({ directory: ${JSON.stringify(dir)} });
			(async () => {
				for (let round = 0; ; round++) {
					const records = Array.from({ length: 600 }, (_, i) => ({ id: 'r' + i, vector: Array.from({ length: 16 }, (_, d) => Math.cos(i + d * round)), text: 'round ' + round, metadata: { round } }));
					await store.insert('rewrite', records);
					process.stdout.write('committed ' + round + '\\n');
				}
			})();`,
		);
		const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
		const committed: number[] = [];
		child.stdout.on('data', (data: Buffer) => {
			for (const m of data.toString().matchAll(/committed (\d+)/g)) committed.push(Number(m[1]));
		});
		await new Promise<void>((resolve) => {
			const timer = setInterval(() => {
				if (committed.length >= 12) {
					clearInterval(timer);
					setTimeout(resolve, Math.random() * 10);
				}
			}, 1);
		});
		child.kill('SIGKILL');
		await new Promise((resolve) => child.on('exit', resolve));
		const last = committed[committed.length - 1];
		// Compactions happened: the live files are a later generation.
		expect(Number(readFileSync(join(dir, 'rewrite', 'CURRENT'), 'utf8'))).toBeGreaterThan(0);
		const store = new EmbeddedStore({ directory: dir });
		expect(await store.stats('rewrite')).toEqual({ count: 600, dimensions: 16 });
		const hits = await store.search('rewrite', { vector: new Array(16).fill(1), topK: 600 });
		const rounds = new Set(hits.map((h) => h.metadata.round));
		// One whole round is live: the last one reported, or the one in flight if it committed before the kill.
		expect(rounds.size).toBe(1);
		expect([last, last + 1]).toContain([...rounds][0]);
		await store.insert('rewrite', [{ id: 'r0', vector: new Array(16).fill(1), text: 'after', metadata: { round: -1 } }]);
		expect((await store.stats('rewrite')).count).toBe(600);
	}, 60_000);
});

