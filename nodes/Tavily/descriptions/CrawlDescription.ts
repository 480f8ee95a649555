// Parameters of the Crawl operation (Tavily POST /crawl).
import type { INodeProperties } from 'n8n-workflow';
import { rootUrlField, siteOptions } from './siteOptions';

export const crawlFields: INodeProperties[] = [
	rootUrlField('crawl', 'Page to start from; Tavily follows its links and returns the content of every page it reaches'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['crawl'] } },
		options: [
			...siteOptions('crawl'),
			{
				displayName: 'Chunks per Source',
				name: 'chunksPerSource',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 5 },
				default: 3,
				description: 'With Instructions: return only this many of the most relevant snippets (up to 500 characters each) per page, 1 to 5',
			},
			{
				displayName: 'Extract Depth',
				name: 'extractDepth',
				type: 'options',
				default: 'basic',
				options: [
					{ name: 'Basic', value: 'basic', description: 'Main text, fast' },
					{ name: 'Advanced', value: 'advanced', description: 'Also tables and embedded content, slower, costs more' },
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
				description: 'Whether to add the address of the site\'s icon to each page',
			},
			{
				displayName: 'Include Images',
				name: 'includeImages',
				type: 'boolean',
				default: false,
				description: 'Whether to list the images found on each page',
			},
		],
	},
];
