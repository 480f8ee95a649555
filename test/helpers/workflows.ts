// Workflow specs several tests and benches run: a webhook that takes a photo and answers with what the Plate Detector read,
// and the shipped camera workflow set to read the fixture models.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WorkflowSpec } from '../e2e/harness';
import { PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, type RequiredFixtures } from './fixtures';

/** Webhook (a photo as the body, answered with the first item's JSON) → Plate Detector on the fixture models, CPU. */
export function plateWebhookWorkflow(fixtures: Pick<RequiredFixtures, 'path'>, o: { name: string; path: string; webhookId: string }): WorkflowSpec {
	return {
		name: o.name,
		nodes: [
			{
				name: 'Photo In',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: o.webhookId,
				parameters: { httpMethod: 'POST', path: o.path, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
			},
			{
				name: 'Plate Detector',
				type: 'n8n-nodes-agentic.plateDetector',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					input: 'binary',
					binaryPropertyName: 'data',
					options: {
						detectorModelPath: fixtures.path(PLATE_DETECTOR_MODEL),
						ocrModelPath: fixtures.path(PLATE_OCR_MODEL),
						executionProvider: 'cpu',
					},
				},
			},
		],
		connections: { 'Photo In': { main: [[{ node: 'Plate Detector', type: 'main', index: 0 }]] } },
	};
}

/** workflows/camera-plate-whatsapp.json as shipped, but reading the fixture models on CPU (there is no internet to download them). */
export function cameraWorkflow(fixtures: Pick<RequiredFixtures, 'path'>): WorkflowSpec {
	const camera = JSON.parse(readFileSync(join(resolve(__dirname, '../..'), 'workflows', 'camera-plate-whatsapp.json'), 'utf8')) as WorkflowSpec;
	const parameters = camera.nodes.find((node) => node.name === 'Read Plates')!.parameters as { options: Record<string, unknown> };
	parameters.options = {
		...parameters.options,
		executionProvider: 'cpu',
		detectorModelPath: fixtures.path(PLATE_DETECTOR_MODEL),
		ocrModelPath: fixtures.path(PLATE_OCR_MODEL),
	};
	return camera;
}
