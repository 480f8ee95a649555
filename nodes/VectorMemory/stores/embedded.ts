// The default backend: vectors on local disk under the n8n user folder, no server, safe under kill -9 and concurrent writers.
//
// Layout per namespace (a folder): `vectors.f32` holds unit-length float32 rows, appended only;
// `log.jsonl` holds one JSON line per committed batch (put / del / clear). A batch writes and fsyncs
// its vectors first, then its log line: the complete log line is the commit marker. After a crash
// a partial last line and any vector bytes past the last committed batch are cut off by the next
// writer. Writers hold `writer.lock` (O_EXCL, holding the pid, broken when that process is gone);
// readers need no lock: every operation first replays log lines it has not seen, so several
// processes share one store. Once replaced or deleted rows outnumber live ones (or on a clear), the
// writer copies the live rows into the next generation of files (`log.N.jsonl`, `vectors.N.f32`) and
// switches to it by renaming `CURRENT`; readers follow CURRENT. Search scans int8 copies in
// WebAssembly SIMD, then re-ranks the best candidates on the exact float32 rows read back from disk.
import {
	closeSync,
	fstatSync,
	fsyncSync,
	ftruncateSync,
	linkSync,
	mkdirSync,
	openSync,
	readFileSync,
	readSync,
	realpathSync,
	renameSync,
	statSync,
	unlinkSync,
	writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { agenticDataDir } from '../../shared/dataDir';
import { AgenticError } from '../../shared/errors';
import { dimensionMismatch } from '../errors';
import { matchesFilter } from '../filter';
import type { Metadata, MetadataFilter, NamespaceStats, SearchHit, SearchRequest, StoreBackend, VectorRecord } from '../types';
import { Int8Table } from './int8Scan';

export interface EmbeddedStoreOptions {
	/** Folder holding one sub-folder per namespace (default: defaultMemoryDirectory()). */
	directory?: string;
	/** How long a writer waits for another writer's lock before failing (default 30 s). */
	lockTimeoutMs?: number;
}

/** `<N8N_USER_FOLDER or home>/.n8n/agentic/memory`, next to n8n's own data, so it survives restarts. */
export function defaultMemoryDirectory(): string {
	return agenticDataDir('memory');
}

type LogEntry =
	| { t: 'put'; off: number; dims: number; recs: Array<{ id: string; text: string; meta: Metadata }> }
	| { t: 'del'; ids: string[] }
	| { t: 'clear' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Takes the namespace's writer lock; returns its release function. */
async function acquireLock(path: string, timeoutMs: number): Promise<() => void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let openError: NodeJS.ErrnoException | undefined;
		try {
			const fd = openSync(path, 'wx');
			writeSync(fd, String(process.pid));
			closeSync(fd);
			return () => {
				try {
					unlinkSync(path);
				} catch {
					// Already broken as stale by another process: nothing to release.
				}
			};
		} catch (error) {
			openError = error as NodeJS.ErrnoException;
		}
		if (openError.code !== 'EEXIST') throw openError;
		let holder = '';
		let age = 0;
		try {
			holder = readFileSync(path, 'utf8');
			age = Date.now() - statSync(path).mtimeMs;
		} catch {
			continue; // released meanwhile
		}
		const pid = Number(holder);
		const stale = holder === '' ? age > 5000 : Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
		if (stale) {
			// Move the stale lock aside, and put it back if another process replaced it meanwhile.
			const aside = `${path}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
			try {
				renameSync(path, aside);
				if (readFileSync(aside, 'utf8') !== holder) linkSync(aside, path);
				unlinkSync(aside);
			} catch {
				// Another process broke it first.
			}
			continue;
		}
		if (Date.now() > deadline) {
			throw new AgenticError('upstream', `The memory store at ${path} stayed locked by process ${holder || '?'} for ${timeoutMs} ms`, {
				description: 'Another workflow is writing a lot to the same namespace; retry later or use another namespace.',
			});
		}
		await sleep(2 + Math.random() * 8);
	}
}

/** One namespace's files and its in-memory index, shared by every store object of this process. */
class Namespace {
	private readonly lockPath: string;
	private readonly currentPath: string;
	/** Which generation of files is live (compaction writes the next one, then switches CURRENT). */
	private gen = 0;
	/** -1 while this generation's files do not exist yet (nothing was ever written). */
	private logFd = -1;
	private vecFd = -1;
	/** Whether the files are open for writing (readers open them read-only). */
	private writable = false;
	/** Bytes of the log already replayed. */
	private logOffset = 0;
	/** End of the last committed vector bytes; anything after is an unfinished batch. */
	private vecEnd = 0;
	private table: Int8Table | undefined;
	private ids: string[] = [];
	private texts: string[] = [];
	private metas: Metadata[] = [];
	private offsets: number[] = [];
	private alive: boolean[] = [];
	private byId = new Map<string, number>();
	/** Serialises this process's writers before they compete for the file lock. */
	private queue: Promise<unknown> = Promise.resolve();

	constructor(readonly dir: string) {
		mkdirSync(dir, { recursive: true });
		this.lockPath = join(dir, 'writer.lock');
		this.currentPath = join(dir, 'CURRENT');
	}

	private paths(gen: number) {
		const suffix = gen === 0 ? '' : `.${gen}`;
		return { log: join(this.dir, `log${suffix}.jsonl`), vec: join(this.dir, `vectors${suffix}.f32`) };
	}

	private readGeneration(): number {
		try {
			return Number(readFileSync(this.currentPath, 'utf8')) || 0;
		} catch {
			return 0;
		}
	}

	private closeFiles() {
		if (this.logFd >= 0) closeSync(this.logFd);
		if (this.vecFd >= 0) closeSync(this.vecFd);
		this.logFd = -1;
		this.vecFd = -1;
	}

	/** Opens the live generation's files; only writers (under the lock) create them. */
	private openFiles(create: boolean): boolean {
		const { log, vec } = this.paths(this.gen);
		let failure: NodeJS.ErrnoException | undefined;
		try {
			this.logFd = openSync(log, create ? 'a+' : 'r');
			this.vecFd = openSync(vec, create ? 'a+' : 'r');
		} catch (error) {
			failure = error as NodeJS.ErrnoException;
		}
		if (failure) {
			this.closeFiles();
			if (failure.code === 'ENOENT') return false;
			throw failure;
		}
		this.writable = create;
		if (create) syncDir(this.dir);
		return true;
	}

	/** Follows CURRENT to the live generation, starting over when another process compacted. */
	private follow(create: boolean): boolean {
		for (let attempt = 0; attempt < 3; attempt++) {
			const gen = this.readGeneration();
			if (gen !== this.gen) {
				this.closeFiles();
				this.gen = gen;
				this.reset(true);
			}
			if (create && this.logFd >= 0 && !this.writable) this.closeFiles();
			if (this.logFd >= 0 || this.openFiles(create)) return true;
			// Files missing: either nothing was ever written, or a compaction just replaced them.
			if (this.readGeneration() === this.gen) return false;
		}
		return false;
	}

	get dims(): number | null {
		return this.table?.dims ?? null;
	}

	/** Replays committed log lines written since the last call (by any process). */
	refresh(create = false): void {
		if (!this.follow(create)) return;
		const size = fstatSync(this.logFd).size;
		if (size < this.logOffset) this.reset(true);
		if (size <= this.logOffset) return;
		const buffer = Buffer.allocUnsafe(size - this.logOffset);
		const read = readSync(this.logFd, buffer, 0, buffer.length, this.logOffset);
		const end = buffer.lastIndexOf(10, read - 1);
		if (end < 0) return; // only a batch still being written (or a crashed one the next writer cuts off)
		let start = 0;
		while (start <= end) {
			const nl = buffer.indexOf(10, start);
			this.apply(JSON.parse(buffer.toString('utf8', start, nl)) as LogEntry);
			start = nl + 1;
		}
		this.logOffset += end + 1;
	}

	private reset(full: boolean) {
		this.table = undefined;
		this.ids = [];
		this.texts = [];
		this.metas = [];
		this.offsets = [];
		this.alive = [];
		this.byId = new Map();
		if (full) {
			this.logOffset = 0;
			this.vecEnd = 0;
		}
	}

	private apply(entry: LogEntry) {
		if (entry.t === 'clear') {
			this.reset(false);
			return;
		}
		if (entry.t === 'del') {
			for (const id of entry.ids) this.remove(id);
			return;
		}
		const bytes = entry.dims * 4;
		const buffer = Buffer.allocUnsafe(entry.recs.length * bytes);
		readSync(this.vecFd, buffer, 0, buffer.length, entry.off);
		this.vecEnd = Math.max(this.vecEnd, entry.off + buffer.length);
		if (!this.table || (this.table.dims !== entry.dims && this.byId.size === 0)) {
			this.reset(false);
			this.table = new Int8Table(entry.dims);
		}
		const floats = new Float32Array(buffer.buffer, buffer.byteOffset, entry.recs.length * entry.dims);
		entry.recs.forEach((rec, i) => {
			this.remove(rec.id);
			const row = this.table!.append(floats.subarray(i * entry.dims, (i + 1) * entry.dims));
			this.ids[row] = rec.id;
			this.texts[row] = rec.text;
			this.metas[row] = rec.meta;
			this.offsets[row] = entry.off + i * bytes;
			this.alive[row] = true;
			this.byId.set(rec.id, row);
		});
	}

	private remove(id: string) {
		const row = this.byId.get(id);
		if (row === undefined) return;
		this.alive[row] = false;
		this.byId.delete(id);
	}

	/** Runs a write under this process's queue and the cross-process lock, after cutting off any crashed batch. */
	private write<T>(lockTimeoutMs: number, work: () => T): Promise<T> {
		const run = async () => {
			const release = await acquireLock(this.lockPath, lockTimeoutMs);
			try {
				this.refresh(true);
				if (fstatSync(this.logFd).size > this.logOffset) ftruncateSync(this.logFd, this.logOffset);
				if (fstatSync(this.vecFd).size > this.vecEnd) ftruncateSync(this.vecFd, this.vecEnd);
				const result = work();
				this.compactIfWasteful();
				return result;
			} finally {
				release();
			}
		};
		const result = this.queue.then(run, run);
		this.queue = result.catch(() => undefined);
		return result;
	}

	private commit(entry: LogEntry) {
		const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
		writeSync(this.logFd, line, 0, line.length, this.logOffset);
		fsyncSync(this.logFd);
		this.apply(entry);
		this.logOffset += line.length;
	}

	/**
	 * Rewrites the live records into the next generation of files once replaced, deleted or cleared
	 * rows outnumber them (and number over a thousand), or after a clear. The switch is one atomic
	 * rename of CURRENT: a crash before it leaves the old generation live, after it the new one.
	 */
	private compactIfWasteful(force = false) {
		const dead = (this.table?.rows ?? 0) - this.byId.size;
		if (!force && !(dead > 1000 && dead > this.byId.size)) return;
		const live = [...this.byId.values()].sort((a, b) => a - b);
		const next = this.gen + 1;
		const target = this.paths(next);
		const vfd = openSync(target.vec, 'w');
		const lfd = openSync(target.log, 'w');
		try {
			const dims = this.table?.dims ?? 0;
			const bytes = dims * 4;
			let off = 0;
			for (let i = 0; i < live.length; i += 1000) {
				const rows = live.slice(i, i + 1000);
				const buffer = Buffer.allocUnsafe(rows.length * bytes);
				rows.forEach((row, k) => readSync(this.vecFd, buffer, k * bytes, bytes, this.offsets[row]));
				writeSync(vfd, buffer, 0, buffer.length, off);
				const entry: LogEntry = { t: 'put', off, dims, recs: rows.map((row) => ({ id: this.ids[row], text: this.texts[row], meta: this.metas[row] })) };
				writeSync(lfd, `${JSON.stringify(entry)}\n`);
				off += buffer.length;
			}
			fsyncSync(vfd);
			fsyncSync(lfd);
		} finally {
			closeSync(vfd);
			closeSync(lfd);
		}
		const tmp = `${this.currentPath}.tmp`;
		const cfd = openSync(tmp, 'w');
		writeSync(cfd, String(next));
		fsyncSync(cfd);
		closeSync(cfd);
		renameSync(tmp, this.currentPath);
		syncDir(this.dir);
		const old = this.paths(this.gen);
		this.closeFiles();
		for (const file of [old.log, old.vec]) {
			try {
				unlinkSync(file);
			} catch {
				// Already gone.
			}
		}
		this.refresh(true);
	}

	insert(records: VectorRecord[], lockTimeoutMs: number): Promise<void> {
		return this.write(lockTimeoutMs, () => {
			const dims = records[0].vector.length;
			if (this.table && this.byId.size > 0 && this.table.dims !== dims) {
				throw dimensionMismatch(dims, this.table.dims);
			}
			const floats = new Float32Array(records.length * dims);
			records.forEach((record, i) => {
				if (record.vector.length !== dims) throw dimensionMismatch(record.vector.length, dims);
				floats.set(unit(record.vector), i * dims);
			});
			const off = this.vecEnd;
			writeSync(this.vecFd, new Uint8Array(floats.buffer), 0, floats.byteLength, off);
			fsyncSync(this.vecFd);
			this.commit({ t: 'put', off, dims, recs: records.map((r) => ({ id: r.id, text: r.text, meta: r.metadata })) });
		});
	}

	delete(selector: { ids?: string[]; filter?: MetadataFilter }, lockTimeoutMs: number): Promise<number> {
		return this.write(lockTimeoutMs, () => {
			const ids = new Set<string>();
			for (const id of selector.ids ?? []) if (this.byId.has(id)) ids.add(id);
			if (selector.filter) {
				for (const [id, row] of this.byId) if (matchesFilter(this.metas[row], selector.filter)) ids.add(id);
			}
			if (ids.size > 0) this.commit({ t: 'del', ids: [...ids] });
			return ids.size;
		});
	}

	clear(lockTimeoutMs: number): Promise<void> {
		return this.write(lockTimeoutMs, () => {
			this.commit({ t: 'clear' });
			// Clearing frees the disk space at once.
			this.compactIfWasteful(true);
		});
	}

	stats(): NamespaceStats {
		this.refresh();
		return { count: this.byId.size, dimensions: this.byId.size > 0 ? this.dims : null };
	}

	search({ vector, topK, filter }: SearchRequest): SearchHit[] {
		this.refresh();
		const table = this.table;
		if (!table || this.byId.size === 0) return [];
		if (vector.length !== table.dims) throw dimensionMismatch(vector.length, table.dims);
		const query = unit(vector);
		// Keep many more int8 candidates than asked for: the exact re-rank then finds the true top K.
		const keep = Math.max(100, topK * 10);
		const candRows: number[] = [];
		const candScores: number[] = [];
		let minAt = -1;
		const approx = table.scan(query);
		const alive = this.alive;
		for (let row = 0; row < table.rows; row++) {
			const score = approx[row];
			if (candRows.length === keep && score <= candScores[minAt]) continue;
			if (!alive[row] || (filter && !matchesFilter(this.metas[row], filter))) continue;
			if (candRows.length < keep) {
				candRows.push(row);
				candScores.push(score);
				if (candRows.length === keep) minAt = argMin(candScores);
				continue;
			}
			candRows[minAt] = row;
			candScores[minAt] = score;
			minAt = argMin(candScores);
		}
		const bytes = table.dims * 4;
		const buffer = Buffer.allocUnsafe(bytes);
		const exact = candRows.map((row) => {
			readSync(this.vecFd, buffer, 0, bytes, this.offsets[row]);
			const stored = new Float32Array(buffer.buffer, buffer.byteOffset, table.dims);
			let dot = 0;
			for (let i = 0; i < table.dims; i++) dot += stored[i] * query[i];
			return { row, score: dot };
		});
		exact.sort((a, b) => b.score - a.score);
		return exact.slice(0, topK).map(({ row, score }) => ({
			id: this.ids[row],
			text: this.texts[row],
			metadata: this.metas[row],
			score,
		}));
	}
}

function syncDir(dir: string) {
	const fd = openSync(dir, 'r');
	fsyncSync(fd);
	closeSync(fd);
}

function argMin(values: number[]): number {
	let at = 0;
	for (let i = 1; i < values.length; i++) if (values[i] < values[at]) at = i;
	return at;
}

function unit(vector: number[]): Float32Array {
	const out = Float32Array.from(vector);
	let norm = 0;
	for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
	norm = Math.sqrt(norm);
	if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
	return out;
}

/** Namespaces opened by this process, by folder: every execution shares one index and one write queue. */
const openNamespaces = new Map<string, Namespace>();

export class EmbeddedStore implements StoreBackend {
	readonly name = 'embedded';
	readonly directory: string;
	private readonly lockTimeoutMs: number;

	constructor(options: EmbeddedStoreOptions = {}) {
		this.directory = options.directory ?? defaultMemoryDirectory();
		this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
	}

	private namespace(name: string): Namespace {
		mkdirSync(this.directory, { recursive: true });
		const dir = join(realpathSync(this.directory), name);
		let ns = openNamespaces.get(dir);
		if (!ns) {
			ns = new Namespace(dir);
			openNamespaces.set(dir, ns);
		}
		return ns;
	}

	async insert(namespace: string, records: VectorRecord[]): Promise<void> {
		if (records.length === 0) return;
		await this.namespace(namespace).insert(records, this.lockTimeoutMs);
	}

	async search(namespace: string, request: SearchRequest): Promise<SearchHit[]> {
		return this.namespace(namespace).search(request);
	}

	async delete(namespace: string, selector: { ids?: string[]; filter?: MetadataFilter }): Promise<number> {
		return this.namespace(namespace).delete(selector, this.lockTimeoutMs);
	}

	async clear(namespace: string): Promise<void> {
		await this.namespace(namespace).clear(this.lockTimeoutMs);
	}

	async stats(namespace: string): Promise<NamespaceStats> {
		return this.namespace(namespace).stats();
	}

	/** The index stays cached for the next execution in this process; nothing to release per store. */
	async close(): Promise<void> {}
}
