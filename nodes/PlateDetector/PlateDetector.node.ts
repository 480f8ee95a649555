// The Plate Detector node: reads parameters, runs the plate engine on a photo, video or stream per item, maps plates to items.
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { errorItem, toNodeError } from '../shared/nodeErrors';
import { withBinaryInput } from './execute/binaryInput';
import { imageItem, videoItem } from './execute/items';
import { frameOptions, PipelineCache, type NodeOptions } from './execute/options';
import { resolveWatchlist } from './execute/watchlist';
import { plateDetectorProperties } from './PlateDetectorDescription';
import { readFrames } from './vision/video';

export class PlateDetector implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Plate Detector',
		name: 'plateDetector',
		icon: { light: 'file:plateDetector.svg', dark: 'file:plateDetector.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["input"] === "stream" ? "Stream" : "Image or Video"}}',
		description:
			'Find license plates in a photo, a video or a camera stream and read their text, on ONNX models (GPU when available). Returns each plate\'s text, confidence and box, and can check readings against a watchlist.',
		defaults: { name: 'Plate Detector' },
		// A second input appears only when the watchlist comes from another node's items.
		inputs: `={{ $parameter["watchlistSource"] === "input" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Images" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Watchlist" }] : ["${NodeConnectionTypes.Main}"] }}`,
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		properties: plateDetectorProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const pipelines = new PipelineCache(this);
		let watchlistItems: IDataObject[] | undefined;
		const readWatchlistInput = () => (watchlistItems ??= (this.getInputData(1) ?? []).map((item) => item.json));
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				out.push(await runItem(this, itemIndex, items[itemIndex].json, readWatchlistInput, pipelines));
			} catch (error) {
				const nodeError = toNodeError(this, error, itemIndex);
				if (!this.continueOnFail()) throw nodeError;
				out.push(errorItem(nodeError, itemIndex));
			}
		}
		return [out];
	}
}

async function runItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	watchlistItems: () => IDataObject[],
	pipelines: PipelineCache,
): Promise<INodeExecutionData> {
	const input = ctx.getNodeParameter('input', itemIndex) as 'binary' | 'stream';
	const options = ctx.getNodeParameter('options', itemIndex, {}) as NodeOptions;
	const watchlist = resolveWatchlist(ctx, itemIndex, json, watchlistItems);
	const alpr = await pipelines.get(options);
	if (input === 'stream') {
		const url = ctx.getNodeParameter('streamUrl', itemIndex) as string;
		const durationSeconds = ctx.getNodeParameter('streamDurationSeconds', itemIndex, 10) as number;
		return videoItem(alpr, readFrames({ url }, { ...frameOptions(options), durationSeconds }), watchlist, itemIndex);
	}
	return withBinaryInput(ctx, itemIndex, (binary) =>
		'video' in binary
			? videoItem(alpr, readFrames({ file: binary.video }, frameOptions(options)), watchlist, itemIndex)
			: imageItem(ctx, itemIndex, alpr, binary.image, options, watchlist),
	);
}
