// The Insert or Update operation: input items become documents, stored in one batch per namespace and chunking.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ChunkOptions } from '../chunking';
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from '../defaults';
import type { MemoryDocument, VectorMemory } from '../memory';
import type { NodeOutput } from './output';
import { commaList, readField } from './parameters';

function metadataOf(json: IDataObject, fields: string[], exclude: string[]): Record<string, unknown> {
	const metadata: Record<string, unknown> = {};
	if (fields.length) {
		for (const field of fields) {
			const value = readField(json, field);
			if (value !== undefined) metadata[field] = value;
		}
	} else {
		for (const [key, value] of Object.entries(json)) if (!exclude.includes(key)) metadata[key] = value;
	}
	return metadata;
}

function documentFor(ctx: IExecuteFunctions, json: IDataObject, itemIndex: number): MemoryDocument {
	const textField = ctx.getNodeParameter('textField', itemIndex) as string;
	const idField = ctx.getNodeParameter('idField', itemIndex, '') as string;
	const metadataFields = commaList(ctx.getNodeParameter('metadataFields', itemIndex, '') as string);
	const value = readField(json, textField);
	const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
	const id = idField ? readField(json, idField) : undefined;
	return {
		text,
		metadata: metadataOf(json, metadataFields, [textField, idField]),
		id: id === undefined || id === null || id === '' ? undefined : String(id),
	};
}

interface InsertSettings {
	namespace: string;
	chunking: ChunkOptions;
}

/** Item indexes by the settings they share: each group is one batch. Items whose settings cannot be read fail alone. */
function groupBySettings(ctx: IExecuteFunctions, itemCount: number, output: NodeOutput): Array<{ settings: InsertSettings; indexes: number[] }> {
	const groups = new Map<string, { settings: InsertSettings; indexes: number[] }>();
	for (let i = 0; i < itemCount; i++) {
		try {
			const settings = {
				namespace: ctx.getNodeParameter('namespace', i) as string,
				chunking: {
					chunkSize: ctx.getNodeParameter('chunkSize', i, DEFAULT_CHUNK_SIZE) as number,
					chunkOverlap: ctx.getNodeParameter('chunkOverlap', i, DEFAULT_CHUNK_OVERLAP) as number,
				},
			};
			const key = JSON.stringify(settings);
			if (!groups.has(key)) groups.set(key, { settings, indexes: [] });
			groups.get(key)!.indexes.push(i);
		} catch (error) {
			output.fail(error, i);
		}
	}
	return [...groups.values()];
}

/**
 * Inserts the items of each namespace as one batch (one embeddings round, one commit). When a batch
 * fails under Continue On Fail, its items are retried one by one so only the faulty ones report an error.
 */
export async function insertItems(ctx: IExecuteFunctions, memory: VectorMemory, items: INodeExecutionData[], output: NodeOutput): Promise<void> {
	const insert = async ({ namespace, chunking }: InsertSettings, indexes: number[]) => {
		const docs = indexes.map((i) => documentFor(ctx, items[i].json, i));
		const report = await memory.upsert(namespace, docs, chunking);
		const documents = indexes.length - report.skippedEmpty;
		output.add({ namespace, documents, chunks: report.chunks, skippedEmpty: report.skippedEmpty, ids: report.ids }, indexes);
	};
	for (const { settings, indexes } of groupBySettings(ctx, items.length, output)) {
		try {
			await insert(settings, indexes);
		} catch (error) {
			if (!ctx.continueOnFail() || indexes.length === 1) {
				output.fail(error, indexes[0]);
				continue;
			}
			for (const i of indexes) await insert(settings, [i]).catch((itemError) => output.fail(itemError, i));
		}
	}
}
