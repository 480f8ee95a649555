// The Plate Detector node's parameters: input, models, detection, reading, outputs, watchlist.
import type { INodePropertyOptions, INodeProperties } from 'n8n-workflow';
import { DEFAULT_DETECTOR_THRESHOLD, DEFAULT_FPS, DEFAULT_FRAME_TIMEOUT_SECONDS, DEFAULT_MAX_MEGAPIXELS, DEFAULT_MIN_PLATE_WIDTH } from './vision/defaults';
import { yoloFormats, type YoloFormat } from './vision/yoloFormats';

/** One option per detector output format, named with the shape it expects, in alphabetical order. */
function detectorFormatOptions(): INodePropertyOptions[] {
	return (Object.keys(yoloFormats) as YoloFormat[])
		.map((value) => ({ name: `${yoloFormats[value].label} ${yoloFormats[value].shape}`, value }))
		.sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

export const plateDetectorProperties: INodeProperties[] = [
	{
		displayName: 'Input',
		name: 'input',
		type: 'options',
		noDataExpression: true,
		default: 'binary',
		options: [
			{ name: 'Image or Video in a Binary Property', value: 'binary', description: 'A JPEG, PNG or WebP photo, or an MP4/MKV video' },
			{ name: 'Stream URL', value: 'stream', description: 'An RTSP, HTTP or HTTPS camera stream or video URL, read with ffmpeg' },
		],
	},
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { input: ['binary'] } },
		description: 'Name of the binary property holding the image or video',
	},
	{
		displayName: 'Stream URL',
		name: 'streamUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'rtsp://camera.local:554/stream1',
		displayOptions: { show: { input: ['stream'] } },
		description: 'Camera stream or video URL (rtsp://, http:// or https:// only)',
	},
	{
		displayName: 'Stream Duration (Seconds)',
		name: 'streamDurationSeconds',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { input: ['stream'] } },
		description: 'How many seconds of the stream to read per execution',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Confidence Threshold',
				name: 'confidenceThreshold',
				type: 'number',
				default: DEFAULT_DETECTOR_THRESHOLD,
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				description:
					'Minimum detector score for a plate (0.3 measured best on European photos). When no plate clears it, a candidate scoring at least half of it is still kept if the reader is 90% sure of 4 or more characters.',
			},
			{
				displayName: 'Detector Model Path',
				name: 'detectorModelPath',
				type: 'string',
				default: '',
				description:
					'Path of a YOLO-family plate detector (ONNX) on the n8n host. Empty: HyperLPR y5fu_320, downloaded once into ~/.n8n/agentic/models and checked against its SHA-256.',
			},
			{
				displayName: 'Detector Output Format',
				name: 'detectorFormat',
				type: 'options',
				default: 'auto',
				options: [{ name: 'Auto (From Output Shape)', value: 'auto' }, ...detectorFormatOptions()],
				description: 'Layout of the detector output; Auto reads it from the output shape',
			},
			{
				displayName: 'Execution Provider',
				name: 'executionProvider',
				type: 'options',
				default: 'auto',
				options: [
					{ name: 'Auto (GPU if Available, Else CPU)', value: 'auto' },
					{ name: 'CPU', value: 'cpu' },
					{ name: 'CUDA', value: 'cuda' },
					{ name: 'TensorRT', value: 'tensorrt' },
					{ name: 'WebAssembly', value: 'wasm', description: 'Onnxruntime-web in Node, used anyway where onnxruntime-node cannot load (e.g. Alpine)' },
				],
				description:
					'Where the models run. A GPU provider that cannot start falls back to CPU; where onnxruntime-node cannot load (musl libc, as in n8n\'s Alpine image) the models run on WebAssembly. The output fields "provider" and "providerNote" say which ran and why.',
			},
			{
				displayName: 'Frame Timeout (Seconds)',
				name: 'frameTimeoutSeconds',
				type: 'number',
				default: DEFAULT_FRAME_TIMEOUT_SECONDS,
				typeOptions: { minValue: 1 },
				description: 'For videos and streams: give up when no frame arrives for this long',
			},
			{
				displayName: 'Frames Per Second',
				name: 'fps',
				type: 'number',
				default: DEFAULT_FPS,
				typeOptions: { minValue: 0.1 },
				description: 'For videos and streams: how many frames per second to read plates from',
			},
			{
				displayName: 'Include Annotated Image',
				name: 'includeAnnotatedImage',
				type: 'boolean',
				default: false,
				description: 'Whether to add the photo with plate boxes and readings drawn on it, as binary property "annotated"',
			},
			{
				displayName: 'Include Plate Crops',
				name: 'includeCrops',
				type: 'boolean',
				default: false,
				description: 'Whether to add each plate\'s crop as binary properties "plate_0", "plate_1", …',
			},
			{
				displayName: 'Letterbox Pad Value',
				name: 'padValue',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, maxValue: 255 },
				description: 'Grey level of the border added to fit the detector input (0 for HyperLPR models, 114 for Ultralytics exports)',
			},
			{
				displayName: 'Max Image Megapixels',
				name: 'maxMegapixels',
				type: 'number',
				default: DEFAULT_MAX_MEGAPIXELS,
				typeOptions: { minValue: 1 },
				description: 'Images larger than this are refused (protects against decompression bombs)',
			},
			{
				displayName: 'Min Plate Width (Pixels)',
				name: 'minPlateWidth',
				type: 'number',
				default: DEFAULT_MIN_PLATE_WIDTH,
				typeOptions: { minValue: 0 },
				description: 'Plates narrower than this in the original image are ignored',
			},
			{
				displayName: 'OCR Config Path',
				name: 'ocrConfigPath',
				type: 'string',
				default: '',
				description:
					'With "OCR Model Path": the path of the model\'s fast-plate-ocr plate config (YAML), which gives its alphabet, crop size, pad character and regions. Empty: the 36 characters 0-9 A-Z and no regions.',
			},
			{
				displayName: 'OCR Model Path',
				name: 'ocrModelPath',
				type: 'string',
				default: '',
				description:
					'Path of a fast-plate-ocr ONNX model on the n8n host. Empty: the model "Reader" names, downloaded once into ~/.n8n/agentic/models and checked against its SHA-256.',
			},
			{
				displayName: 'Plate Patterns',
				name: 'platePatterns',
				type: 'string',
				default: '',
				placeholder: 'AA99AAA, AA999AA',
				description:
					'Comma-separated plate formats: A a letter, 9 a digit, ? either. A reading as long as a pattern is re-decided slot by slot, settling O/0, I/1, B/8, S/5.',
			},
			{
				displayName: 'Reader',
				name: 'readerModel',
				type: 'options',
				default: 'v2',
				options: [
					{ name: 'Fast-Plate-OCR V1 Global (Cct_xs_v1_global)', value: 'v1', description: 'The first fast-plate-ocr global model: 9 characters, no country' },
					{ name: 'Fast-Plate-OCR V2 Global (Cct_xs_v2_global)', value: 'v2', description: 'Fast-plate-ocr\'s newer global model: 10 characters and the plate\'s country (66 regions)' },
				],
				description: 'The default plate reader to download and use when "OCR Model Path" is empty',
			},
			{
				displayName: 'Regions',
				name: 'regions',
				type: 'string',
				default: '',
				placeholder: 'United Kingdom, Ireland',
				description:
					'Comma-separated countries, as the reader names them (e.g. Germany, United Kingdom, Czech Republic). When set, plate patterns and the watchlist apply only to plates the reader places in one of them; other plates are read freely and match no watchlist entry. Needs a reader that tells the country (cct_xs_v2_global).',
			},
		],
	},
	{
		displayName: 'Watchlist',
		name: 'watchlistSource',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None', value: 'none' },
			{ name: 'List', value: 'list', description: 'Plates typed into the node' },
			{ name: 'Field of the Item', value: 'field', description: 'A field of each input item holding a list or comma-separated plates' },
			{ name: 'Items of the Watchlist Input', value: 'input', description: 'Adds a second input; each of its items gives one plate' },
		],
		description: 'Check each reading against a list of plates, forgiving OCR confusions (O/0, I/1, B/8, S/5)',
	},
	{
		displayName: 'Watchlist Plates',
		name: 'watchlist',
		type: 'string',
		default: '',
		placeholder: 'AB12CDE, XY34ZZZ',
		displayOptions: { show: { watchlistSource: ['list'] } },
		description: 'Comma- or newline-separated plates to look for',
	},
	{
		displayName: 'Watchlist Field',
		name: 'watchlistField',
		type: 'string',
		default: 'watchlist',
		displayOptions: { show: { watchlistSource: ['field'] } },
		description: 'Name of the item field holding the plates (an array or a comma-separated string)',
	},
	{
		displayName: 'Watchlist Input Field',
		name: 'watchlistInputField',
		type: 'string',
		default: 'plate',
		displayOptions: { show: { watchlistSource: ['input'] } },
		description: 'Name of the field holding the plate in each item of the Watchlist input',
	},
	{
		displayName: 'Max Match Distance',
		name: 'watchlistMaxDistance',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 0, numberPrecision: 1 },
		displayOptions: { hide: { watchlistSource: ['none'] } },
		description: 'Largest edit distance counted as a match; a confusable swap (O/0, I/1, B/8, S/5) costs 0.5, any other edit 1',
	},
];
