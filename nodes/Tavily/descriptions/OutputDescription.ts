// The Output parameter every operation has: one item per result, or the whole response in one item.
import type { INodeProperties } from 'n8n-workflow';

export const outputField: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'perResult',
	options: [
		{
			name: 'One Item per Result',
			value: 'perResult',
			description:
				'Each search result, extracted or crawled page, or mapped URL becomes its own item. Extract adds an item with "failed": true for each page it could not read.',
		},
		{
			name: 'Whole Response',
			value: 'response',
			description: 'One item holding Tavily\'s response as sent, with the answer, images and usage where asked for',
		},
	],
	description: 'How to turn Tavily\'s response into items',
	// Research has one result, its report: one item either way.
	displayOptions: { hide: { operation: ['research'] } },
};
