// Parameters of the Map operation (Tavily POST /map).
import type { INodeProperties } from 'n8n-workflow';
import { rootUrlField, siteOptions } from './siteOptions';

export const mapFields: INodeProperties[] = [
	rootUrlField('map', 'Page to start from; Tavily follows its links and lists the URLs it finds, without their content'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['map'] } },
		options: siteOptions('map'),
	},
];
