// Tiny ONNX models written by hand (protobuf bytes), for tests that pin a detector output layout exactly: "output = constant".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where tests write what they generate (ignored by git). */
export const GENERATED_FIXTURES = resolve(__dirname, '..', 'fixtures', 'generated');

function varint(n: number): number[] {
	const out: number[] = [];
	let v = BigInt(n);
	do {
		let byte = Number(v & 0x7fn);
		v >>= 7n;
		if (v > 0n) byte |= 0x80;
		out.push(byte);
	} while (v > 0n);
	return out;
}
const field = (no: number, wire: number) => varint((no << 3) | wire);
const int = (no: number, v: number) => [...field(no, 0), ...varint(v)];
const bytes = (no: number, b: number[] | Uint8Array) => [...field(no, 2), ...varint(b.length), ...b];
const str = (no: number, s: string) => bytes(no, [...Buffer.from(s)]);

/** An ONNX ValueInfoProto: a tensor `name` of `elemType` (1 = float); a string dimension is symbolic (dynamic). */
function valueInfo(name: string, elemType: number, dims: Array<number | string>): number[] {
	const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
	const tensorType = [...int(1, elemType), ...bytes(2, shape)];
	return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/**
 * A model with float input `images` of `inputDims` whose single output `output0` is the constant `values` with shape
 * `dims`; `declaredOutput` is the output shape the graph declares (default `dims`; strings make dimensions dynamic).
 */
export function constantModel(inputDims: Array<number | string>, values: number[], dims: number[], declaredOutput: Array<number | string> = dims): Buffer {
	const raw = new Uint8Array(new Float32Array(values).buffer);
	const tensor = [...dims.flatMap((d) => int(1, d)), ...int(2, 1), ...str(8, 'C'), ...bytes(9, raw)];
	const node = [...str(1, 'C'), ...str(2, 'output0'), ...str(3, 'id'), ...str(4, 'Identity')];
	const graph = [
		...bytes(1, node),
		...str(2, 'g'),
		...bytes(5, tensor),
		...bytes(11, valueInfo('images', 1, inputDims)),
		...bytes(12, valueInfo('output0', 1, declaredOutput)),
	];
	const opset = [...str(1, ''), ...int(2, 13)];
	return Buffer.from([...int(1, 7), ...str(2, 'plate-test'), ...bytes(7, graph), ...bytes(8, opset)]);
}

/** Writes `buffer` as test/fixtures/generated/`name` and returns its path. */
export function writeModel(name: string, buffer: Buffer): string {
	mkdirSync(GENERATED_FIXTURES, { recursive: true });
	const path = join(GENERATED_FIXTURES, name);
	writeFileSync(path, buffer);
	return path;
}
