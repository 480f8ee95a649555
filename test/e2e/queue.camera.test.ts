// The shipped camera workflow in n8n queue mode (real Postgres, real Redis, main + two workers): snapshots of one stolen
// car arriving at the same moment are run by both workers at once, and the guard still gets exactly one WhatsApp alert,
// every sighting logged. OpenAI is the local fake; WhatsApp the HTTPS capture, reached by the workers through the
// proxy settings every instance is given; plates are read from real photos with the real models.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpsCapture, type CapturedRequest, type HttpsCapture } from '../fakes/httpsCapture';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../fakes/openai';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { postgresMissing } from '../helpers/postgres';
import { redisMissing } from '../helpers/redis';
import { cameraWorkflow } from '../helpers/workflows';
import { startN8nQueue, workerOf, type QueueDeployment } from './queue';

const OPENAI_KEY = 'sk-queue-camera-key';
const HOOK_HEADER = 'X-Api-Key';
const HOOK_SECRET = 'hook-secret-queue-5e1a';
/** What the real models read on the shared car photo. */
const CAR_PLATE = '5AU5341';
/** How many snapshots of the stolen car arrive at once. */
const AT_ONCE = 6;

const plateFixtures = requireFixtures('the queue-mode camera workflow test', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);
const servicesMissing = postgresMissing() ?? redisMissing();
const camera = cameraWorkflow(plateFixtures);

let queue: QueueDeployment | undefined;
let capture: HttpsCapture | undefined;
let openai: FakeOpenAI | undefined;
let projectId = '';
const tables: Record<string, string> = {};

const whatsAppMedia = (request: CapturedRequest) => (/^\/v[\d.]+\/[^/]+\/media$/.test(request.path.split('?')[0]) ? { body: { id: '1013859600285441' } } : undefined);
const whatsappMessages = () => capture!.requests.filter((r) => r.host === 'graph.facebook.com' && /\/messages$/.test(r.path.split('?')[0]));
const chatCalls = () => openai!.requests.filter((r) => r.path.endsWith('/chat/completions'));
const rest = (method: string, path: string, body?: unknown) => queue!.main.client.rest(method, path, body);

function alertWriter(request: FakeRequest) {
	const reason = /Reason listed: (.*)/.exec(String(request.body.messages.at(-1).content))?.[1] ?? '?';
	return { content: `Stolen car at the gate (${reason}). Do not approach; call the police.` };
}

async function postSnapshot(photo: Buffer, contentType: string, cameraName: string, headers: Record<string, string> = { [HOOK_HEADER]: HOOK_SECRET }) {
	const res = await fetch(`${queue!.main.url}/webhook/camera/plate?camera=${cameraName}`, {
		method: 'POST',
		headers: { 'content-type': contentType, ...headers },
		body: photo,
		signal: AbortSignal.timeout(120_000),
	});
	const text = await res.text();
	try {
		return { status: res.status, body: JSON.parse(text) as Record<string, any> };
	} catch {
		return { status: res.status, body: { text } as Record<string, any> };
	}
}

async function sightings(cameraName: string): Promise<Array<Record<string, any>>> {
	const page = await rest('GET', `/projects/${projectId}/data-tables/${tables.plate_sightings}/rows?take=500`);
	return (page.data as Array<Record<string, any>>).filter((row) => row.camera === cameraName);
}

const carPhoto = () => readFileSync(plateFixtures.path(CAR_PHOTO));

if (servicesMissing && process.env.CI === 'true') {
	it('needs real Postgres and Redis under CI', () => {
		throw new Error(`queue-mode tests cannot run: ${servicesMissing}`);
	});
} else if (servicesMissing) {
	console.warn(`Skipping the queue-mode camera tests: ${servicesMissing}`);
}

(servicesMissing ? describe.skip : plateFixtures.describe)('Camera → plate → WhatsApp in queue mode with two workers', () => {
	beforeAll(async () => {
		capture = await startHttpsCapture();
		capture.setHandler(whatsAppMedia);
		openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
		queue = await startN8nQueue({
			workers: 2,
			// Every instance goes to WhatsApp through the capture; each worker runs at most 3 executions at once, so
			// 6 snapshots arriving together are shared by both workers and run at the same time.
			env: { ...capture.proxyEnv(), N8N_CONCURRENCY_PRODUCTION_LIMIT: '3' },
			credentials: [
				{ name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
				{ name: 'WhatsApp account', type: 'whatsAppApi', data: { accessToken: 'EAAG-queue-camera-token', businessAccountId: '102290129340398' } },
				{ name: 'Webhook header auth', type: 'httpHeaderAuth', data: { name: HOOK_HEADER, value: HOOK_SECRET } },
			],
			workflows: [camera],
		});
		projectId = (await rest('GET', '/projects/personal')).id;
		const stolen = await rest('POST', `/projects/${projectId}/data-tables`, {
			name: 'stolen_vehicles',
			columns: ['plate', 'reason', 'notes', 'lastAlerts'].map((name) => ({ name, type: 'string' })),
		});
		const log = await rest('POST', `/projects/${projectId}/data-tables`, {
			name: 'plate_sightings',
			columns: ['seenAt', 'camera', 'plates', 'listedPlate', 'outcome', 'message'].map((name) => ({ name, type: 'string' })),
		});
		tables.stolen_vehicles = stolen.id;
		tables.plate_sightings = log.id;
		// The webhook is registered once a snapshot without the camera's header is refused (403) rather than unknown (404).
		for (let attempt = 0; (await postSnapshot(Buffer.from('x'), 'image/jpeg', 'warm-up', {})).status === 404 && attempt < 60; attempt++) {
			await new Promise((r) => setTimeout(r, 500));
		}
	}, 600_000);

	afterAll(async () => {
		await queue?.stop();
		await capture?.close();
		await openai?.close();
	}, 120_000);

	it('20 snapshots of unlisted plates make no model call and send no alert; each is logged as not listed', async () => {
		await rest('POST', `/projects/${projectId}/data-tables/${tables.stolen_vehicles}/insert`, { data: [{ plate: 'XY99ZZZ', reason: 'reported stolen 2026-11-02', notes: 'grey van' }] });
		const photos = [carPhoto(), ...['eu1.jpg', 'eu2.jpg', 'eu3.jpg', 'eu4.jpg'].map((name) => readFileSync(join(plateFixtures.path(CAR_PHOTO), '../../eu', name)))];
		const [calls, sent] = [chatCalls().length, whatsappMessages().length];
		const responses = await Promise.all(Array.from({ length: 20 }, (_, k) => postSnapshot(photos[k % photos.length], k % photos.length === 0 ? 'image/png' : 'image/jpeg', 'gate-unlisted')));
		expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
		for (const res of responses) expect(res.body.stolen ?? false).toBe(false);
		expect(responses[0].body).toMatchObject({ found: true, plates: [CAR_PLATE], outcome: 'not listed' });
		expect({ modelCalls: chatCalls().length - calls, alerts: whatsappMessages().length - sent }).toEqual({ modelCalls: 0, alerts: 0 });
		const logged = await sightings('gate-unlisted');
		expect(logged).toHaveLength(responses.filter((r) => r.body.found).length);
		expect(new Set(logged.map((row) => row.outcome))).toEqual(new Set(['not listed']));
	}, 300_000);

	it(`${AT_ONCE} snapshots of a listed plate at once from one camera, run by both workers: exactly 1 WhatsApp alert, ${AT_ONCE} sightings logged`, async () => {
		await rest('POST', `/projects/${projectId}/data-tables/${tables.stolen_vehicles}/insert`, { data: [{ plate: CAR_PLATE, reason: 'reported stolen 2026-11-20', notes: 'white sedan' }] });
		openai!.setScript(Array.from({ length: AT_ONCE }, () => alertWriter));
		const [calls, sent] = [chatCalls().length, whatsappMessages().length];
		const photo = carPhoto();
		const responses = await Promise.all(Array.from({ length: AT_ONCE }, () => postSnapshot(photo, 'image/png', 'gate-q')));

		expect(responses.map((r) => r.status)).toEqual(Array(AT_ONCE).fill(200));
		expect(responses.map((r) => r.body.outcome).sort()).toEqual(['alerted', ...Array(AT_ONCE - 1).fill('already alerted')]);
		const alerts = whatsappMessages().slice(sent);
		expect({ modelCalls: chatCalls().length - calls, alerts: alerts.length }).toEqual({ modelCalls: 1, alerts: 1 });
		expect((alerts[0].body as { image: { caption: string } }).image.caption).toContain(`Stolen vehicle: ${CAR_PLATE}\nCamera: gate-q`);

		const logged = await sightings('gate-q');
		expect(logged.map((row) => row.outcome).sort()).toEqual(['alerted', ...Array(AT_ONCE - 1).fill('already alerted')]);
		const first = logged.find((row) => row.outcome === 'alerted')!;
		for (const row of logged.filter((r) => r.outcome !== 'alerted')) expect(row.message).toBe(`Already alerted at ${first.seenAt}`);

		// They ran on the workers, both of them, never on main.
		const executions = (await queue!.main.executions(camera.name)).slice(0, AT_ONCE);
		expect(executions.map((e) => e.status)).toEqual(Array(AT_ONCE).fill('success'));
		const ranOn = executions.map((e) => workerOf(queue!, e.id));
		expect(new Set(ranOn)).toEqual(new Set(queue!.workers.map((w) => w.name)));
	}, 300_000);
});
