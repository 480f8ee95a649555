// Options Crawl and Map share: how far to follow links and which URLs to keep.
import type { INodeProperties } from 'n8n-workflow';

export function rootUrlField(operation: 'crawl' | 'map', description: string): INodeProperties {
	return {
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://docs.tavily.com',
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

export function siteOptions(verb: 'crawl' | 'map'): INodeProperties[] {
	return [
		{
			displayName: 'Allow External Links',
			name: 'allowExternal',
			type: 'boolean',
			default: false,
			description: `Whether to also ${verb} pages on other domains that the site links to`,
		},
		{
			displayName: 'Exclude Domains',
			name: 'excludeDomains',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. ^blog\\.example\\.com$',
			description: 'Skip hosts matching any of these regular expressions, one per line',
		},
		{
			displayName: 'Exclude Paths',
			name: 'excludePaths',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. /private/.*',
			description: 'Skip URLs whose path matches any of these regular expressions, one per line',
		},
		{
			displayName: 'Include Usage',
			name: 'includeUsage',
			type: 'boolean',
			default: false,
			description: `Whether to report the Tavily credits this ${verb} spent (in the whole response's "usage")`,
		},
		{
			displayName: 'Instructions',
			name: 'instructions',
			type: 'string',
			default: '',
			placeholder: 'e.g. only the API reference pages',
			description: 'What to look for, in plain words; Tavily then keeps to relevant pages (2 credits per 10 pages instead of 1)',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
		},
		{
			displayName: 'Max Breadth',
			name: 'maxBreadth',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 500 },
			default: 20,
			description: 'How many links to follow from each page, 1 to 500',
		},
		{
			displayName: 'Max Depth',
			name: 'maxDepth',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 5 },
			default: 1,
			description: 'How many links away from the start URL to go, 1 to 5. 1 means the start page and the pages it links to.',
		},
		{
			displayName: 'Select Domains',
			name: 'selectDomains',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. ^docs\\.example\\.com$',
			description: 'Only hosts matching one of these regular expressions, one per line',
		},
		{
			displayName: 'Select Paths',
			name: 'selectPaths',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. /docs/.*',
			description: 'Only URLs whose path matches one of these regular expressions, one per line',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 10, maxValue: 150 },
			default: 150,
			description: `How long Tavily may spend on the ${verb}, 10 to 150 seconds`,
		},
	];
}
