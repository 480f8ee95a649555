// Parameters of the Extract operation (Tavily POST /extract).
import type { INodeProperties } from 'n8n-workflow';

const show = { show: { operation: ['extract'] } };

export const extractFields: INodeProperties[] = [
	{
		displayName: 'URLs',
		name: 'urls',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://nodejs.org/en/about, https://example.com/page',
		description: 'Web pages to read, up to 20, separated by commas, spaces or new lines. Each must be a full http(s) address or a domain with a path.',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Chunks per Source',
				name: 'chunksPerSource',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 5 },
				default: 3,
				description: 'With a Query: return only this many of the most relevant snippets (up to 500 characters each) from each page, 1 to 5',
			},
			{
				displayName: 'Extract Depth',
				name: 'extractDepth',
				type: 'options',
				default: 'basic',
				options: [
					{ name: 'Basic', value: 'basic', description: 'Main text, fast, 1 credit per 5 pages' },
					{ name: 'Advanced', value: 'advanced', description: 'Also tables and embedded content, slower, 2 credits per 5 pages' },
				],
				description: 'How thoroughly to read each page',
			},
			{
				displayName: 'Format',
				name: 'format',
				type: 'options',
				default: 'markdown',
				options: [
					{ name: 'Markdown', value: 'markdown' },
					{ name: 'Text', value: 'text' },
				],
				description: 'Format of the page content in "raw_content"',
			},
			{
				displayName: 'Include Favicon',
				name: 'includeFavicon',
				type: 'boolean',
				default: false,
				description: 'Whether to add the address of each site\'s icon to its result',
			},
			{
				displayName: 'Include Images',
				name: 'includeImages',
				type: 'boolean',
				default: false,
				description: 'Whether to list the images found on each page',
			},
			{
				displayName: 'Include Usage',
				name: 'includeUsage',
				type: 'boolean',
				default: false,
				description: 'Whether to report the Tavily credits this extraction spent (in the whole response\'s "usage")',
			},
			{
				displayName: 'Query',
				name: 'query',
				type: 'string',
				default: '',
				placeholder: 'e.g. pricing of the pro plan',
				description: 'What you are looking for on the pages; the content is ranked by relevance to it',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 60 },
				default: 30,
				description: 'How long Tavily may spend reading the pages, 1 to 60 seconds',
			},
		],
	},
];
