// The Tavily node: declares Search, Extract, Crawl, Map and Research, runs the chosen one per item through TavilyClient, maps results to items.
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { errorItem, toNodeError } from '../shared/nodeErrors';
import { n8nTransport } from '../shared/n8nHttp';
import { TavilyClient } from './engine/client';
import { toOutputRecords, type OutputMode, type TavilyResponse } from './engine/output';
import { crawlFields } from './descriptions/CrawlDescription';
import { extractFields } from './descriptions/ExtractDescription';
import { mapFields } from './descriptions/MapDescription';
import { outputField } from './descriptions/OutputDescription';
import { researchFields } from './descriptions/ResearchDescription';
import { searchFields } from './descriptions/SearchDescription';
import { crawl } from './operations/crawl';
import { extract } from './operations/extract';
import { map } from './operations/map';
import { research } from './operations/research';
import { search } from './operations/search';

type Operation = 'search' | 'extract' | 'crawl' | 'map' | 'research';

const operations: Record<Operation, (this: IExecuteFunctions, client: TavilyClient, itemIndex: number) => Promise<TavilyResponse>> = {
	search,
	extract,
	crawl,
	map,
	research,
};

export class Tavily implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tavily',
		name: 'tavily',
		icon: { light: 'file:tavily.svg', dark: 'file:tavily.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description:
			'Search the web and read web pages with Tavily. Search finds current information and sources for a question; Extract returns the content of given URLs; Crawl follows links from a start URL and returns page content; Map lists the URLs of a site; Research writes a cited report on a question.',
		defaults: { name: 'Tavily' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'tavilyAgenticApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'search',
				options: [
					{
						name: 'Crawl',
						value: 'crawl',
						action: 'Crawl a website',
						description: 'Follow links from a start URL and return the content of each page reached',
					},
					{
						name: 'Extract',
						value: 'extract',
						action: 'Extract content from web pages',
						description: 'Read the content of up to 20 known URLs',
					},
					{
						name: 'Map',
						value: 'map',
						action: 'Map a website',
						description: 'List the URLs of a site reachable from a start URL, without their content',
					},
					{
						name: 'Research',
						value: 'research',
						action: 'Research a question in depth',
						description: 'Have Tavily search, read and write a report on a question, citing its sources (30 s to a few minutes)',
					},
					{
						name: 'Search',
						value: 'search',
						action: 'Search the web',
						description: 'Find up-to-date pages that answer a question, with snippets and optionally a written answer',
					},
				],
			},
			...searchFields,
			...extractFields,
			...crawlFields,
			...mapFields,
			...researchFields,
			outputField,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const credentials = await this.getCredentials('tavilyAgenticApi');
		const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
		const out: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const client = new TavilyClient({
					apiKey,
					baseUrl: typeof credentials.baseUrl === 'string' ? credentials.baseUrl : undefined,
					transport: n8nTransport(this),
				});
				const operation = this.getNodeParameter('operation', itemIndex) as Operation;
				const run = operations[operation];
				if (!run) {
					throw new NodeOperationError(this.getNode(), `Unknown operation "${String(operation)}"`, { itemIndex });
				}
				const mode = this.getNodeParameter('output', itemIndex, 'perResult') as OutputMode;
				const response = await run.call(this, client, itemIndex);
				for (const record of toOutputRecords(response, mode)) {
					out.push({ json: record as IDataObject, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				const nodeError = toNodeError(this, error, itemIndex, [apiKey]);
				if (!this.continueOnFail()) throw nodeError;
				out.push(errorItem(nodeError, itemIndex));
			}
		}
		return [out];
	}
}

/** Maps engine failures to n8n errors that name what to fix; the API key never reaches a message. */
