// Research operation: reads the node's Research parameters for one item and runs TavilyClient.research until the report is done.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import type { TavilyClient } from '../engine/client';
import type { TavilyResponse } from '../engine/output';
import type { TavilyResearchParams } from '../engine/types';
import { choice, optionalNumber } from './parse';

/** The Output Schema option as an object: n8n gives a JSON field as text, or as an object from an expression. */
function outputSchemaOf(ctx: IExecuteFunctions, value: unknown, itemIndex: number): Record<string, unknown> | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') return value as Record<string, unknown>;
	try {
		return JSON.parse(value) as Record<string, unknown>;
	} catch {
		throw new NodeOperationError(ctx.getNode(), 'Output Schema is not valid JSON', {
			itemIndex,
			description: 'Write it as a JSON Schema object, e.g. {"type": "object", "properties": {"summary": {"type": "string"}}}.',
		});
	}
}

export async function research(this: IExecuteFunctions, client: TavilyClient, itemIndex: number): Promise<TavilyResponse> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const params: TavilyResearchParams = {
		input: String(this.getNodeParameter('input', itemIndex, '') ?? ''),
		model: choice(options.model),
		citationFormat: choice(options.citationFormat),
		outputSchema: outputSchemaOf(this, options.outputSchema, itemIndex),
	};
	const maxWaitSeconds = optionalNumber(options, 'maxWaitSeconds');
	const response = await client.research(params, {
		signal: this.getExecutionCancelSignal?.(),
		maxWaitMs: maxWaitSeconds === undefined ? undefined : maxWaitSeconds * 1000,
	});
	return { operation: 'research', response };
}
