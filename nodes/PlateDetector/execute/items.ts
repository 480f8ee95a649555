// Output items: a photo's plates (with optional crops and annotated image), a video's or stream's plates voted across frames.
import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { Alpr, PlateResult } from '../vision/alpr';
import { annotateImage, plateCrop } from '../vision/annotate';
import { openImage, type ImageSource } from '../vision/decode';
import { PlateTracker, type TrackedPlate, type VideoFrame } from '../vision/video';
import { matchWatchlist } from '../vision/watchlist';
import { maxPixels, type NodeOptions } from './options';
import type { Watchlist } from './watchlist';

function round(v: number, digits = 3): number {
	const k = 10 ** digits;
	return Math.round(v * k) / k;
}

/** One plate's fields; the watchlist is checked only for plates from the chosen regions (`inRegions`). */
function plateJson(p: PlateResult, watchlist: Watchlist | undefined, inRegions: (region: string | undefined) => boolean): IDataObject {
	const out: IDataObject = {
		plateText: p.plateText,
		confidence: p.confidence,
		charConfidences: p.charConfidences,
		...(p.region !== undefined ? { region: p.region, regionConfidence: p.regionConfidence } : {}),
		box: { x1: round(p.box.x1, 1), y1: round(p.box.y1, 1), x2: round(p.box.x2, 1), y2: round(p.box.y2, 1) },
		detectionScore: round(p.detectionScore),
	};
	if (p.corners) out.corners = p.corners.map((c) => ({ x: round(c.x, 1), y: round(c.y, 1) }));
	if (watchlist) {
		const match = inRegions(p.region) ? matchWatchlist(p.plateText, watchlist.entries, watchlist.maxDistance) : undefined;
		out.watchlistMatch = match ? { entry: match.entry, distance: match.distance } : null;
	}
	return out;
}

function providerJson(alpr: Alpr): IDataObject {
	return { provider: alpr.provider, ...(alpr.providerNote ? { providerNote: alpr.providerNote } : {}) };
}

/** The crops ("plate_0", …) and the annotated photo ("annotated") the options ask for, or undefined for none. */
async function plateBinaries(ctx: IExecuteFunctions, image: ImageSource, plates: PlateResult[], options: NodeOptions): Promise<IBinaryKeyData | undefined> {
	if (!options.includeCrops && !options.includeAnnotatedImage) return undefined;
	const binary: IBinaryKeyData = {};
	if (options.includeCrops) {
		for (let k = 0; k < plates.length; k++) {
			binary[`plate_${k}`] = await ctx.helpers.prepareBinaryData(await plateCrop(image, plates[k]), `plate_${k}.jpg`, 'image/jpeg');
		}
	}
	if (options.includeAnnotatedImage) {
		binary.annotated = await ctx.helpers.prepareBinaryData(await annotateImage(image, plates), 'annotated.jpg', 'image/jpeg');
	}
	return binary;
}

/** One photo's item: the plates best detection first, `plateText` the best one's reading. */
export async function imageItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	alpr: Alpr,
	bytes: Buffer,
	options: NodeOptions,
	watchlist: Watchlist | undefined,
): Promise<INodeExecutionData> {
	const image = await openImage(bytes, { maxPixels: maxPixels(options) });
	const prediction = await alpr.predict(image);
	const plates = [...prediction.plates].sort((a, b) => b.detectionScore - a.detectionScore);
	const item: INodeExecutionData = {
		json: {
			plateText: plates[0]?.plateText ?? null,
			plateCount: plates.length,
			plates: plates.map((p) => plateJson(p, watchlist, (region) => alpr.inRegions(region))),
			width: prediction.width,
			height: prediction.height,
			...providerJson(alpr),
		},
		pairedItem: { item: itemIndex },
	};
	const binary = await plateBinaries(ctx, image, plates, options);
	if (binary) item.binary = binary;
	return item;
}

/** One video's or stream's item: each plate once, with the reading most frames agree on and when it was seen. */
export async function videoItem(alpr: Alpr, frames: AsyncIterable<VideoFrame>, watchlist: Watchlist | undefined, itemIndex: number): Promise<INodeExecutionData> {
	const tracker = new PlateTracker();
	let count = 0;
	for await (const frame of frames) {
		tracker.add(frame.index, frame.timestampSeconds, (await alpr.predict(frame.image)).plates);
		count++;
	}
	const tracked: TrackedPlate[] = tracker.finish();
	return {
		json: {
			plateText: tracked[0]?.best.plateText ?? null,
			plateCount: tracked.length,
			plates: tracked.map((t) => ({
				...plateJson(t.best, watchlist, (region) => alpr.inRegions(region)),
				timestampSeconds: t.timestampSeconds,
				firstSeenSeconds: t.firstSeenSeconds,
				lastSeenSeconds: t.lastSeenSeconds,
				frames: t.frames,
				votes: t.votes,
			})),
			framesProcessed: count,
			...providerJson(alpr),
		},
		pairedItem: { item: itemIndex },
	};
}
