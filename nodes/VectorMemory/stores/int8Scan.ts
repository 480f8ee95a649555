// Int8 dot products over many vectors at once, in WebAssembly SIMD: the embedded store's first pass.
// The module is built from this WebAssembly text (wabt 1.0.39, SIMD on) and kept inline so nothing is compiled at install:
//   (func (export "scan") (param $vec i32) (param $n i32) (param $stride i32) (param $q i32) (param $out i32)
//     for each of the n rows of `stride` int8 bytes starting at $vec: out[i] = sum(row[j] * q[j]), using
//     i16x8.extend_{low,high}_i8x16_s + i32x4.dot_i16x8_s, 16 bytes per step)
const SCAN_WASM =
	'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcRAgZtZW1vcnkCAARzY2FuAAAKtAEBsQECAn8DewJAA0AgBSABTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQdBACEGAkADQCAGIAJPDQEgACAGav0ABAAhCCADIAZq/QAEACEJIAcgCP2HASAJ/YcB/boB/a4BIQcgByAI/YgBIAn9iAH9ugH9rgEhByAGQRBqIQYMAAsLIAQgBUECdGogB/0bACAH/RsBaiAH/RsCIAf9GwNqajYCACAAIAJqIQAgBUEBaiEFDAALCws=';

/** Bytes reserved for the query at address 0; vectors longer than this are rejected. */
export const QUERY_BYTES = 32768;
/** Rows scanned per call; their scores go to [QUERY_BYTES, VECTOR_BASE). */
export const ROWS_PER_SCAN = 8192;
export const VECTOR_BASE = QUERY_BYTES + ROWS_PER_SCAN * 4;

// The project compiles without the DOM library, so declare the little of WebAssembly used here.
interface WasmMemory {
	readonly buffer: ArrayBuffer;
	grow(pages: number): number;
}
interface WasmInstance {
	exports: Record<string, unknown>;
}
interface WasmApi {
	Module: new (bytes: Uint8Array) => object;
	Instance: new (module: object, imports: object) => WasmInstance;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/** A growable table of int8 rows with one float scale each, scanned against an int8 query. */
export class Int8Table {
	private readonly instance: WasmInstance;
	private readonly memory: WasmMemory;
	private readonly scanFn: (vec: number, n: number, stride: number, q: number, out: number) => void;
	/** Padded to 16 bytes so the SIMD loop needs no tail. */
	readonly stride: number;
	rows = 0;
	scales = new Float32Array(1024);
	private approx = new Float32Array(0);

	constructor(readonly dims: number) {
		this.stride = Math.ceil(dims / 16) * 16;
		if (this.stride > QUERY_BYTES) throw new Error(`Vectors of ${dims} dimensions are more than the embedded store supports (${QUERY_BYTES})`);
		compiled ??= new wasm.Module(Buffer.from(SCAN_WASM, 'base64'));
		this.instance = new wasm.Instance(compiled, {});
		this.memory = this.instance.exports.memory as WasmMemory;
		this.scanFn = this.instance.exports.scan as Int8Table['scanFn'];
		this.ensureBytes(VECTOR_BASE);
	}

	private ensureBytes(bytes: number) {
		const have = this.memory.buffer.byteLength;
		if (bytes <= have) return;
		// Doubling keeps growth amortised; wasm32 memory stops at 4 GiB (about 2.7 million 1536-d rows).
		const want = Math.max(bytes, Math.min(have * 2, 65536 * 65536));
		this.memory.grow(Math.ceil((want - have) / 65536));
	}

	/** Appends a float vector (quantized here) and returns its row number. */
	append(vector: Float32Array): number {
		const row = this.rows;
		this.ensureBytes(VECTOR_BASE + (row + 1) * this.stride);
		if (row >= this.scales.length) {
			const grown = new Float32Array(this.scales.length * 2);
			grown.set(this.scales);
			this.scales = grown;
		}
		const bytes = new Int8Array(this.memory.buffer, VECTOR_BASE + row * this.stride, this.stride);
		this.scales[row] = quantizeInto(vector, bytes);
		this.rows++;
		return row;
	}

	/**
	 * Approximate dot products of the query with every row: the int8 dot product rescaled, within
	 * about 1e-3 of the float dot product for unit vectors. The array is reused by the next call.
	 */
	scan(query: Float32Array): Float32Array {
		if (this.approx.length < this.rows) this.approx = new Float32Array(Math.max(this.rows, this.approx.length * 2));
		const approx = this.approx;
		const q = new Int8Array(this.memory.buffer, 0, this.stride);
		q.fill(0);
		const qScale = quantizeInto(query, q);
		for (let start = 0; start < this.rows; start += ROWS_PER_SCAN) {
			const n = Math.min(ROWS_PER_SCAN, this.rows - start);
			this.scanFn(VECTOR_BASE + start * this.stride, n, this.stride, 0, QUERY_BYTES);
			const out = new Int32Array(this.memory.buffer, QUERY_BYTES, n);
			const scales = this.scales;
			for (let i = 0; i < n; i++) approx[start + i] = out[i] * scales[start + i] * qScale;
		}
		return approx;
	}
}

/** Symmetric per-vector quantization to int8; returns the scale that maps int8 back to floats. */
function quantizeInto(vector: Float32Array, out: Int8Array): number {
	let max = 0;
	for (let i = 0; i < vector.length; i++) {
		const a = Math.abs(vector[i]);
		if (a > max) max = a;
	}
	if (max === 0) return 0;
	const k = 127 / max;
	for (let i = 0; i < vector.length; i++) out[i] = Math.round(vector[i] * k);
	return max / 127;
}
