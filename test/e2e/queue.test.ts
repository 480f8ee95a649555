// n8n queue mode (real Postgres, real Redis, main + two workers, each with its own user folder): a photo posted to
// main's webhook is read by the Plate Detector on a worker, its binary travelling through the database; when one
// worker dies, the other goes on.
import { readFileSync } from 'node:fs';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { postgresMissing } from '../helpers/postgres';
import { redisMissing } from '../helpers/redis';
import { startN8nQueue, workerOf, type QueueDeployment } from './queue';

const plateFixtures = requireFixtures('the queue-mode Plate Detector test', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);
const servicesMissing = postgresMissing() ?? redisMissing();

const workflow = {
	name: 'Queue: read plate from webhook photo',
	nodes: [
		{
			name: 'Photo In',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '3c6a1e0f-52b7-4d8e-b0a4-9f1e2d3c4b5a',
			parameters: { httpMethod: 'POST', path: 'queue-plate', responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} },
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
					detectorModelPath: plateFixtures.path(PLATE_DETECTOR_MODEL),
					ocrModelPath: plateFixtures.path(PLATE_OCR_MODEL),
					executionProvider: 'cpu',
				},
			},
		},
	],
	connections: { 'Photo In': { main: [[{ node: 'Plate Detector', type: 'main', index: 0 }]] } },
};

let queue: QueueDeployment | undefined;

async function postPhoto(photo: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(`${queue!.main.url}/webhook/queue-plate`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: photo });
		if (res.status !== 404 || attempt >= 40) return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
		await new Promise((r) => setTimeout(r, 500));
	}
}

async function executionsOf(workflowId: string): Promise<Array<{ id: string; status: string; mode: string }>> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	return ((await queue!.main.client.rest('GET', `/executions?filter=${filter}&limit=50`)).results ?? []) as Array<{ id: string; status: string; mode: string }>;
}

if (servicesMissing && process.env.CI === 'true') {
	it('needs real Postgres and Redis under CI', () => {
		throw new Error(`queue-mode tests cannot run: ${servicesMissing}`);
	});
} else if (servicesMissing) {
	console.warn(`Skipping the queue-mode tests: ${servicesMissing}`);
}

(servicesMissing ? describe.skip : plateFixtures.describe)('n8n queue mode with two workers', () => {
	beforeAll(async () => {
		queue = await startN8nQueue({ workers: 2, workflows: [workflow] });
	}, 400_000);
	afterAll(async () => {
		await queue?.stop();
	}, 120_000);

	it('reads a photo posted to main on a worker, the binary travelling through the database', async () => {
		const photo = readFileSync(plateFixtures.path(CAR_PHOTO));
		const { status, body } = await postPhoto(photo);
		expect(status).toBe(200);
		expect(body).toMatchObject({ plateText: '5AU5341', plateCount: 1, provider: 'cpu' });
		const [execution] = await executionsOf(queue!.main.workflowIds[workflow.name]);
		expect(execution.status).toBe('success');
		// It ran on a worker (whose user folder is not main's), not on main.
		expect(workerOf(queue!, execution.id)).toMatch(/^worker-\d$/);
		expect(queue!.main.logTail(500_000)).not.toMatch(new RegExp(`Worker started execution ${execution.id}\\b`));
	}, 120_000);

	it('goes on when one worker is killed: the other takes every new photo', async () => {
		const [first, second] = queue!.workers;
		await first.kill();
		const photo = readFileSync(plateFixtures.path(CAR_PHOTO));
		for (let i = 0; i < 3; i++) {
			const { status, body } = await postPhoto(photo);
			expect(status).toBe(200);
			expect(body.plateText).toBe('5AU5341');
		}
		const newest = (await executionsOf(queue!.main.workflowIds[workflow.name])).slice(0, 3);
		expect(newest.map((e) => e.status)).toEqual(['success', 'success', 'success']);
		for (const e of newest) expect(workerOf(queue!, e.id)).toBe(second.name);
	}, 180_000);
});
