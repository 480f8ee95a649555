// Parameters of the Research operation (Tavily POST /research, then GET /research/{request_id} until the report is done).
import type { INodeProperties } from 'n8n-workflow';

const show = { show: { operation: ['research'] } };

export const researchFields: INodeProperties[] = [
	{
		displayName: 'Research Input',
		name: 'input',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 2 },
		placeholder: 'e.g. How do heat pumps compare with gas boilers on running costs in 2026?',
		description: 'The research task or question; Tavily searches, reads and writes a report citing its sources (30 s to a few minutes)',
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
				displayName: 'Citation Format',
				name: 'citationFormat',
				type: 'options',
				default: 'numbered',
				options: [
					{ name: 'APA', value: 'apa' },
					{ name: 'Chicago', value: 'chicago' },
					{ name: 'MLA', value: 'mla' },
					{ name: 'Numbered', value: 'numbered', description: 'Numbers in brackets, e.g. [1]' },
				],
				description: 'How the report cites its sources',
			},
			{
				displayName: 'Max Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 10 },
				default: 600,
				description: 'Give up on the task when Tavily has not finished it in this time; stopping the execution stops the wait at once',
			},
			{
				displayName: 'Model',
				name: 'model',
				type: 'options',
				default: 'auto',
				options: [
					{ name: 'Auto', value: 'auto', description: 'Tavily picks by the task' },
					{ name: 'Mini', value: 'mini', description: 'Quick and focused, for narrow questions' },
					{ name: 'Pro', value: 'pro', description: 'Many searches, for comparisons and broad topics' },
				],
				description: 'Tavily research model',
			},
			{
				displayName: 'Output Schema',
				name: 'outputSchema',
				type: 'json',
				default: '',
				description: 'A JSON Schema: the report comes back as an object of that shape instead of markdown, e.g. {"type": "object", "properties": {"summary": {"type": "string"}}}',
			},
		],
	},
];
