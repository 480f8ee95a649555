// The item's binary property as the plate engine takes it: a video as a file for ffmpeg, a photo as bytes.
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

export type BinaryInput = { video: string } | { image: Buffer };

function isVideo(bytes: Buffer, mimeType: string | undefined): boolean {
	if (bytes.length === 0) return false;
	if (mimeType?.startsWith('video/')) return true;
	// MP4/MOV 'ftyp' box, Matroska/WebM EBML header.
	return bytes.subarray(4, 8).toString('latin1') === 'ftyp' || bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
}

async function fileHead(path: string, length: number): Promise<Buffer> {
	const handle = await open(path, 'r');
	try {
		const buffer = Buffer.alloc(length);
		const { bytesRead } = await handle.read(buffer, 0, length, 0);
		return buffer.subarray(0, bytesRead);
	} finally {
		await handle.close();
	}
}

/** Puts the binary in `file` when it is a video; returns its bytes when it is a photo. */
async function stage(ctx: IExecuteFunctions, itemIndex: number, propertyName: string, binary: IBinaryData, file: string): Promise<BinaryInput> {
	if (binary.id) {
		// Stored by n8n's binary data manager: a video goes to disk for ffmpeg without ever being held whole in memory.
		await pipeline(await ctx.helpers.getBinaryStream(binary.id), createWriteStream(file));
		return isVideo(await fileHead(file, 16), binary.mimeType) ? { video: file } : { image: await readFile(file) };
	}
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	if (!isVideo(bytes, binary.mimeType)) return { image: bytes };
	await writeFile(file, bytes);
	return { video: file };
}

/** Runs `use` on the item's binary property; a video's temporary file is removed afterwards, whatever happens. */
export async function withBinaryInput<T>(ctx: IExecuteFunctions, itemIndex: number, use: (input: BinaryInput) => Promise<T>): Promise<T> {
	const propertyName = ctx.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const binary = ctx.helpers.assertBinaryData(itemIndex, propertyName);
	const dir = await mkdtemp(join(tmpdir(), 'plate-video-'));
	try {
		return await use(await stage(ctx, itemIndex, propertyName, binary, join(dir, 'input')));
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
