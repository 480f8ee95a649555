// In real n8n: a webhook receives a car photo, the Plate Detector reads it, and the HTTP response carries the plate text.
import { readFileSync } from 'node:fs';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { plateWebhookWorkflow } from '../helpers/workflows';
import { nodeError, nodeOutput, startN8n, type N8nInstance } from './harness';

const plateFixtures = requireFixtures('the Plate Detector e2e tests', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);

const workflow = plateWebhookWorkflow(plateFixtures, { name: 'Read plate from webhook photo', path: 'plate', webhookId: '6f1d2c4e-8d0a-4b7e-9a55-5e2f3c1a9b10' });

/** Posts bytes to the webhook; a just-published workflow's webhook may take a moment to register (404 until then). */
async function post(n8n: N8nInstance, contentType: string, body: Buffer | string, path = 'plate'): Promise<Response> {
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(`${n8n.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
		if (res.status !== 404 || attempt >= 40) return res;
		await new Promise((r) => setTimeout(r, 500));
	}
}

/** The watchlist arrives as items from another node, on the Plate Detector's second input. */
const watchWorkflow = {
	name: 'Check webhook photo against a watchlist',
	nodes: [
		{
			name: 'Photo In',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '0b8e5f44-1c2d-4e6f-8a9b-7c3d2e1f0a55',
			parameters: { httpMethod: 'POST', path: 'plate-watch', responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
		},
		{
			name: 'Wanted Plates',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 200],
			parameters: { jsCode: "return [{ json: { plate: 'XY99ZZZ' } }, { json: { plate: 'SAU5341' } }];" },
		},
		{
			name: 'Plate Detector',
			type: 'n8n-nodes-agentic.plateDetector',
			typeVersion: 1,
			position: [440, 0],
			parameters: {
				input: 'binary',
				binaryPropertyName: 'data',
				options: (workflow.nodes[1].parameters as { options: Record<string, unknown> }).options,
				watchlistSource: 'input',
				watchlistInputField: 'plate',
				watchlistMaxDistance: 1,
			},
		},
	],
	connections: {
		'Photo In': { main: [[{ node: 'Plate Detector', type: 'main', index: 0 }, { node: 'Wanted Plates', type: 'main', index: 0 }]] },
		'Wanted Plates': { main: [[{ node: 'Plate Detector', type: 'main', index: 1 }]] },
	},
};

plateFixtures.describe('Plate Detector in real n8n', () => {
	let n8n: N8nInstance;
	beforeAll(async () => {
		// Jest sets NODE_ENV=test, with which n8n exits at start; n8n runs as it would in production.
		n8n = await startN8n({ workflows: [workflow, watchWorkflow], env: { NODE_ENV: 'production' } });
	}, 900_000);
	afterAll(async () => {
		await n8n?.stop();
	});

	it('answers a webhook carrying a car photo with the plate text', async () => {
		const res = await post(n8n, 'image/png', readFileSync(plateFixtures.path(CAR_PHOTO)));
		const body = (await res.json()) as Record<string, any>;
		expect(res.status).toBe(200);
		expect(body).toMatchObject({ plateText: '5AU5341', plateCount: 1, provider: 'cpu' });
		expect(body.plates[0].corners).toHaveLength(4);
		const execution = await n8n.lastExecution(n8n.workflowIds[workflow.name]);
		expect(nodeOutput(execution, 'Plate Detector')[0].plateText).toBe('5AU5341');
	}, 120_000);

	it('matches the plate against watchlist items coming from another node on the second input', async () => {
		const res = await post(n8n, 'image/png', readFileSync(plateFixtures.path(CAR_PHOTO)), 'plate-watch');
		expect(res.status).toBe(200);
		const body = (await res.json()) as Record<string, any>;
		expect(body.plateText).toBe('5AU5341');
		expect(body.plates[0].watchlistMatch).toEqual({ entry: 'SAU5341', distance: 0.5 });
	}, 120_000);

	it('fails the execution with the node\'s message when the upload is not an image', async () => {
		const workflowId = n8n.workflowIds[workflow.name];
		const before = (await n8n.executions(workflowId)).map((e) => Number(e.id)).sort((a, b) => b - a)[0];
		const res = await post(n8n, 'image/jpeg', 'not really a jpeg');
		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({ message: 'Error in workflow' });
		const execution = await n8n.lastExecution(workflowId, { after: String(before ?? 0) });
		expect(execution.status).toBe('error');
		expect(nodeError(execution, 'Plate Detector')?.message).toMatch(/^The data is not an image sharp can read/);
	}, 120_000);
});
