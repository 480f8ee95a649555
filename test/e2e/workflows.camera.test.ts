// The camera workflow (workflows/camera-plate-whatsapp.json) end to end in real n8n: the Plate Detector matches readings
// against the stolen_vehicles data table itself, the model is called once per alert and never per snapshot, and a car
// standing at a camera raises one WhatsApp alert per window. OpenAI is the local fake, WhatsApp the HTTPS capture,
// plates are read from real photos with the real models.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startHttpsCapture, type CapturedRequest, type HttpsCapture } from '../fakes/httpsCapture';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../fakes/openai';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { cameraWorkflow } from '../helpers/workflows';
import { startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const plateFixtures = requireFixtures('the camera plate workflow tests', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (!haveFfmpeg) console.warn('Skipping the camera clip test: ffmpeg is not on PATH (Debian: apt-get install ffmpeg)');
const itWithClips = haveFfmpeg ? plateFixtures.it : it.skip;

const OPENAI_KEY = 'sk-e2e-camera-key';
const WHATSAPP_TOKEN = 'EAAG-e2e-camera-token';
const HOOK_HEADER = 'X-Api-Key';
const HOOK_SECRET = 'hook-secret-7c2b4f1d9a';
const auth = { [HOOK_HEADER]: HOOK_SECRET };
const GUARD_PHONE = '+15550000000';
/** What the real models read on the shared car photo. */
const CAR_PLATE = '5AU5341';

const camera = cameraWorkflow(plateFixtures);
const plateNode = camera.nodes.find((node) => node.name === 'Read Plates')!;

/** The same workflow with `writeAlertWithModel` turned off in Alert Settings, listening on its own path. */
const templateOnly = JSON.parse(JSON.stringify(camera)) as WorkflowSpec;
templateOnly.name = `${camera.name} (template only)`;
for (const node of templateOnly.nodes) {
	if (node.name === 'Camera Snapshot') Object.assign(node, { webhookId: '6e0f4a81-3c5d-4e7f-a091-2b3c4d5e6f70', parameters: { ...(node.parameters as object), path: 'camera/plate-template' } });
	if (node.name !== 'Alert Settings') continue;
	for (const a of (node.parameters as { assignments: { assignments: Array<{ name: string; value: unknown }> } }).assignments.assignments) {
		if (a.name === 'writeAlertWithModel') a.value = false;
	}
}

/** WhatsApp media uploads answer with the media id, as the Cloud API does; everything else gets the capture's default. */
const whatsAppMedia = (request: CapturedRequest) => (/^\/v[\d.]+\/[^/]+\/media$/.test(request.path.split('?')[0]) ? { body: { id: '1013859600285441' } } : undefined);

let capture: HttpsCapture;
let openai: FakeOpenAI;
let n8n: N8nInstance;
let projectId = '';
const tables: Record<string, string> = {};

const whatsappMessages = () => capture.requests.filter((r) => r.host === 'graph.facebook.com' && /\/messages$/.test(r.path.split('?')[0]));
const chatCalls = () => openai.requests.filter((r) => r.path.endsWith('/chat/completions'));

/** The model writes the guard's message from the listed vehicle's reason and notes it was given in the task. */
function alertWriter(request: FakeRequest) {
	const task = String(request.body.messages.at(-1).content);
	const reason = /Reason listed: (.*)/.exec(task)?.[1] ?? '?';
	const notes = /Notes: (.*)/.exec(task)?.[1] ?? '?';
	return { content: `Stolen car at the gate (${reason}; ${notes}). Do not approach; call the police.` };
}
const scriptAlertWriter = () => openai.setScript(Array.from({ length: 20 }, () => alertWriter));

beforeAll(async () => {
	capture = await startHttpsCapture();
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
	capture.setHandler(whatsAppMedia);
	n8n = await startN8n({
		env: capture.proxyEnv(),
		credentials: [
			{ name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'WhatsApp account', type: 'whatsAppApi', data: { accessToken: WHATSAPP_TOKEN, businessAccountId: '102290129340398' } },
			{ name: 'Webhook header auth', type: 'httpHeaderAuth', data: { name: HOOK_HEADER, value: HOOK_SECRET } },
		],
		workflows: [camera, templateOnly],
	});
	projectId = (await n8n.rest('GET', '/projects/personal')).id;
	const stolen = await n8n.rest('POST', `/projects/${projectId}/data-tables`, {
		name: 'stolen_vehicles',
		columns: ['plate', 'reason', 'notes', 'lastAlerts'].map((name) => ({ name, type: 'string' })),
	});
	const log = await n8n.rest('POST', `/projects/${projectId}/data-tables`, {
		name: 'plate_sightings',
		columns: ['seenAt', 'camera', 'plates', 'listedPlate', 'outcome', 'message'].map((name) => ({ name, type: 'string' })),
	});
	tables.stolen_vehicles = stolen.id;
	tables.plate_sightings = log.id;
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await capture?.close();
	await openai?.close();
}, 60_000);

async function postPhoto(body: Buffer | string, contentType: string, cameraName: string, headers: Record<string, string> = auth, path = 'camera/plate') {
	const res = await fetch(`${n8n.url}/webhook/${path}?camera=${cameraName}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
	const text = await res.text();
	let parsed: any = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// Not JSON.
	}
	return { status: res.status, body: parsed };
}

const carPhoto = () => readFileSync(plateFixtures.path(CAR_PHOTO));
const postCar = (cameraName: string) => postPhoto(carPhoto(), 'image/png', cameraName);

async function sightings(cameraName?: string): Promise<Array<Record<string, any>>> {
	const page = await n8n.rest('GET', `/projects/${projectId}/data-tables/${tables.plate_sightings}/rows?take=500`);
	return (page.data as Array<Record<string, any>>).filter((row) => cameraName === undefined || row.camera === cameraName);
}

async function listStolen(rows: Array<{ plate: string; reason: string; notes: string }>) {
	await n8n.rest('POST', `/projects/${projectId}/data-tables/${tables.stolen_vehicles}/insert`, { data: rows });
}

/** The listed row's record of each camera's last alert, as the workflow keeps it. */
async function setLastAlerts(plate: string, lastAlerts: Record<string, string>) {
	await n8n.rest('PATCH', `/projects/${projectId}/data-tables/${tables.stolen_vehicles}/rows`, {
		filter: { type: 'and', filters: [{ columnName: 'plate', condition: 'eq', value: plate }] },
		data: { lastAlerts: JSON.stringify(lastAlerts) },
	});
}

async function lastAlerts(plate: string): Promise<Record<string, string>> {
	const page = await n8n.rest('GET', `/projects/${projectId}/data-tables/${tables.stolen_vehicles}/rows?take=500`);
	const row = (page.data as Array<Record<string, any>>).find((r) => r.plate === plate);
	return row?.lastAlerts ? JSON.parse(row.lastAlerts) : {};
}

/** Counts what a block of snapshots cost: model calls and WhatsApp messages sent. */
async function counting<T>(run: () => Promise<T>): Promise<{ result: T; modelCalls: number; alerts: CapturedRequest[] }> {
	const [calls, sent] = [chatCalls().length, whatsappMessages().length];
	const result = await run();
	return { result, modelCalls: chatCalls().length - calls, alerts: whatsappMessages().slice(sent) };
}

describe('Camera → plate → WhatsApp', () => {
	plateFixtures.it('with an empty stolen_vehicles table, logs the sighting and alerts nobody', async () => {
		const { result: res, modelCalls, alerts } = await counting(() => postCar('gate-empty'));
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ found: true, stolen: false, plates: [CAR_PLATE], camera: 'gate-empty', outcome: 'not listed', alertSent: false });
		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 0, alerts: 0 });
		expect(await sightings('gate-empty')).toMatchObject([{ plates: CAR_PLATE, listedPlate: '', outcome: 'not listed' }]);
	}, 120_000);

	plateFixtures.it('20 snapshots of unlisted plates make no model call and no alert; a plate two real edits from a listed one is not matched', async () => {
		// 5AU5399 is two substitutions (4→9, 1→9) away from the plate on the photo; neither is an OCR confusion.
		await listStolen([
			{ plate: 'XY99ZZZ', reason: 'reported stolen 2026-11-02', notes: 'grey van' },
			{ plate: '5AU5399', reason: 'reported stolen 2026-11-05', notes: 'blue hatchback' },
		]);
		const photos = [carPhoto(), ...['eu1.jpg', 'eu2.jpg', 'eu3.jpg', 'eu4.jpg'].map((name) => readFileSync(join(plateFixtures.path(CAR_PHOTO), '../../eu', name)))];
		const { result: responses, modelCalls, alerts } = await counting(async () => {
			const out = [];
			for (let k = 0; k < 20; k++) out.push(await postPhoto(photos[k % photos.length], k % photos.length === 0 ? 'image/png' : 'image/jpeg', 'gate-unlisted'));
			return out;
		});
		expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
		for (const res of responses) expect(res.body.stolen ?? false).toBe(false);
		expect(responses[0].body).toMatchObject({ found: true, plates: [CAR_PLATE], outcome: 'not listed' });
		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 0, alerts: 0 });
		const logged = await sightings('gate-unlisted');
		expect(logged).toHaveLength(responses.filter((r) => r.body.found).length);
		expect(new Set(logged.map((row) => row.outcome))).toEqual(new Set(['not listed']));
	}, 300_000);

	plateFixtures.it('matches a listed plate one OCR confusion away (I for 1) and alerts with the listed entry and its distance', async () => {
		await listStolen([{ plate: '5AU534I', reason: 'reported stolen 2026-11-18', notes: 'red estate car, false plates likely' }]);
		scriptAlertWriter();
		const { result: res, modelCalls, alerts } = await counting(() => postCar('gate-confusion'));
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ found: true, stolen: true, plate: CAR_PLATE, listedPlate: '5AU534I', distance: 0.5, outcome: 'alerted', alertSent: true });
		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 1, alerts: 1 });
		const caption = (alerts[0].body as { image: { caption: string } }).image.caption;
		expect(caption).toContain('Stolen vehicle: 5AU534I (read as 5AU5341)');
		expect(caption).toContain('red estate car, false plates likely');
	}, 120_000);

	plateFixtures.it('a listed plate seen in 5 snapshots within the window: 1 model call, 1 WhatsApp alert with the photo, 5 sightings logged', async () => {
		await listStolen([{ plate: CAR_PLATE, reason: 'reported stolen 2026-11-20', notes: 'white sedan, owner J. Smith' }]);
		scriptAlertWriter();
		const sentBefore = capture.requests.length;
		const { result: responses, modelCalls, alerts } = await counting(async () => {
			const out = [];
			for (let k = 0; k < 5; k++) out.push(await postCar('gate-2'));
			return out;
		});

		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 1, alerts: 1 });
		expect(responses.map((r) => [r.status, r.body.outcome, r.body.alertSent])).toEqual([
			[200, 'alerted', true],
			...Array(4).fill([200, 'already alerted', false]),
		]);
		expect(responses[0].body).toMatchObject({ found: true, stolen: true, plates: [CAR_PLATE], plate: CAR_PLATE, listedPlate: CAR_PLATE, distance: 0 });
		expect(responses[0].body.messageId).toMatch(/^wamid\./);
		// The model only wrote the message, from the listed row; it was given no tools to decide anything with.
		const writeRequest = chatCalls().at(-1)!;
		expect(writeRequest.body.tools ?? []).toEqual([]);
		expect(String(writeRequest.body.messages.at(-1).content)).toContain('Reason listed: reported stolen 2026-11-20');

		const toWhatsApp = capture.requests.slice(sentBefore).filter((r) => r.host === 'graph.facebook.com');
		const upload = toWhatsApp.find((r) => r.path.endsWith('/YOUR_PHONE_NUMBER_ID/media'))!;
		expect(upload.headers.authorization).toBe(`Bearer ${WHATSAPP_TOKEN}`);
		expect(upload.rawBody).toMatch(/filename="annotated\.jpg"\r\nContent-Type: image\/jpeg/);
		const body = alerts[0].body as { to: string; type: string; image: { id: string; caption: string } };
		expect(body).toMatchObject({ messaging_product: 'whatsapp', to: GUARD_PHONE.replace('+', ''), type: 'image', image: { id: '1013859600285441' } });
		expect(body.image.caption).toContain(`Stolen vehicle: ${CAR_PLATE}\n`);
		expect(body.image.caption).toContain('Camera: gate-2');
		expect(body.image.caption).toMatch(/Time: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
		expect(body.image.caption).toContain('Stolen car at the gate (reported stolen 2026-11-20; white sedan, owner J. Smith). Do not approach; call the police.');

		const logged = await sightings('gate-2');
		expect(logged.map((row) => row.outcome)).toEqual(['alerted', 'already alerted', 'already alerted', 'already alerted', 'already alerted']);
		for (const row of logged) expect(row).toMatchObject({ plates: CAR_PLATE, listedPlate: CAR_PLATE });
		expect(logged[1].message).toBe(`Already alerted at ${logged[0].seenAt}`);

		// The window is per camera: the same car at another camera is a new alert.
		scriptAlertWriter();
		const other = await counting(() => postCar('gate-3'));
		expect(other.result.body.outcome).toBe('alerted');
		expect({ modelCalls: other.modelCalls, alerts: other.alerts.length }).toEqual({ modelCalls: 1, alerts: 1 });
	}, 300_000);

	plateFixtures.it('5 snapshots of a listed plate arriving at once from one camera: exactly 1 alert, 1 model call, 5 sightings logged', async () => {
		scriptAlertWriter();
		const { result: responses, modelCalls, alerts } = await counting(() => Promise.all(Array.from({ length: 5 }, () => postCar('gate-race'))));
		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 1, alerts: 1 });
		expect(responses.map((r) => r.status)).toEqual(Array(5).fill(200));
		expect(responses.map((r) => r.body.outcome).sort()).toEqual(['alerted', ...Array(4).fill('already alerted')]);
		const logged = await sightings('gate-race');
		expect(logged.map((row) => row.outcome).sort()).toEqual(['alerted', ...Array(4).fill('already alerted')]);
		const first = logged.find((row) => row.outcome === 'alerted')!;
		for (const row of logged.filter((r) => r.outcome !== 'alerted')) expect(row.message).toBe(`Already alerted at ${first.seenAt}`);
		expect((await lastAlerts(CAR_PLATE))['gate-race']).toBe(first.seenAt);
	}, 300_000);

	plateFixtures.it('alerts again once the last alert at that camera is older than the window (10 minutes), not before', async () => {
		const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
		await setLastAlerts(CAR_PLATE, { ...(await lastAlerts(CAR_PLATE)), 'gate-old': minutesAgo(11), 'gate-recent': minutesAgo(9) });
		scriptAlertWriter();
		const old = await counting(() => postCar('gate-old'));
		expect(old.result.body.outcome).toBe('alerted');
		expect(old.alerts).toHaveLength(1);
		const recent = await counting(() => postCar('gate-recent'));
		expect(recent.result.body.outcome).toBe('already alerted');
		expect({ modelCalls: recent.modelCalls, alerts: recent.alerts.length }).toEqual({ modelCalls: 0, alerts: 0 });
	}, 120_000);

	plateFixtures.it('sends the plain template when the model fails (here: its key is rejected), so the guard is alerted anyway', async () => {
		const credentialId = n8n.credentialIds['OpenAI-compatible account'];
		const good = { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' };
		await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { ...good, apiKey: 'sk-wrong' } });
		try {
			const { result: res, alerts } = await counting(() => postCar('gate-template'));
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ outcome: 'alerted', alertSent: true, message: 'Listed as stolen: reported stolen 2026-11-20. white sedan, owner J. Smith' });
			expect(alerts).toHaveLength(1);
			expect((alerts[0].body as { image: { caption: string } }).image.caption).toContain('Listed as stolen: reported stolen 2026-11-20. white sedan, owner J. Smith');
			expect(JSON.stringify(res.body)).not.toContain('sk-wrong');
		} finally {
			await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: good });
		}
	}, 120_000);

	plateFixtures.it('with writeAlertWithModel off in Alert Settings, sends the plain template and makes no model call', async () => {
		const { result: res, modelCalls, alerts } = await counting(() => postPhoto(carPhoto(), 'image/png', 'gate-no-model', auth, 'camera/plate-template'));
		expect(res.body).toMatchObject({ outcome: 'alerted', alertSent: true, message: 'Listed as stolen: reported stolen 2026-11-20. white sedan, owner J. Smith' });
		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 0, alerts: 1 });
	}, 120_000);

	itWithClips('on a stolen plate in a video clip, sends the guard a WhatsApp text (a clip has no annotated photo)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'camera-clip-'));
		try {
			const clip = join(dir, 'clip.mp4');
			execFileSync('ffmpeg', ['-loglevel', 'error', '-loop', '1', '-i', plateFixtures.path(CAR_PHOTO), '-t', '1', '-r', '5', '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-pix_fmt', 'yuv420p', clip]);
			scriptAlertWriter();
			const sentBefore = capture.requests.length;
			const res = await postPhoto(readFileSync(clip), 'video/mp4', 'gate-clip');
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ found: true, stolen: true, plates: [CAR_PLATE], alertSent: true });
			const toWhatsApp = capture.requests.slice(sentBefore).filter((r) => r.host === 'graph.facebook.com');
			expect(toWhatsApp.map((r) => r.path.replace(/^\/v[\d.]+/, ''))).toEqual(['/YOUR_PHONE_NUMBER_ID/messages']);
			const body = toWhatsApp[0].body as { type: string; text: { body: string } };
			expect(body.type).toBe('text');
			expect(body.text.body).toContain(`Stolen vehicle: ${CAR_PLATE}`);
			expect(body.text.body).toContain('Camera: gate-clip');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 120_000);

	plateFixtures.it('answers 502 when WhatsApp refuses the alert, logs the sighting, and tries again on the next snapshot', async () => {
		capture.setHandler((request) =>
			request.host === 'graph.facebook.com' && request.path.endsWith('/messages')
				? { status: 401, body: { error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEf123' } } }
				: whatsAppMedia(request),
		);
		scriptAlertWriter();
		try {
			const res = await postCar('gate-4');
			expect(res.status).toBe(502);
			expect(res.body).toMatchObject({ found: true, stolen: true, plate: CAR_PLATE, outcome: 'alert failed', alertSent: false });
			expect(res.body.error).toMatch(/^The WhatsApp alert could not be sent: /);
			expect(JSON.stringify(res.body)).not.toContain(WHATSAPP_TOKEN);
		} finally {
			capture.setHandler(whatsAppMedia);
		}
		expect(await sightings('gate-4')).toMatchObject([{ plates: CAR_PLATE, listedPlate: CAR_PLATE, outcome: 'alert failed' }]);
		expect(await lastAlerts(CAR_PLATE)).not.toHaveProperty('gate-4');
		// A failed alert does not count as sent: the next snapshot alerts.
		const retry = await postCar('gate-4');
		expect(retry.body).toMatchObject({ outcome: 'alerted', alertSent: true });
	}, 120_000);

	plateFixtures.it('answers a photo with no plate clearly, without asking the model, alerting or logging', async () => {
		const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 130, b: 125 } } }).jpeg().toBuffer();
		const logged = (await sightings()).length;
		const { result: res, modelCalls, alerts } = await counting(() => postPhoto(blank, 'image/jpeg', 'back-door'));
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ found: false, plates: [], camera: 'back-door', message: 'No licence plate found in the image' });
		expect({ modelCalls, alerts: alerts.length }).toEqual({ modelCalls: 0, alerts: 0 });
		expect(await sightings()).toHaveLength(logged);
	}, 120_000);

	it('refuses an upload without the camera header, reading nothing and alerting nobody', async () => {
		const sent = whatsappMessages().length;
		expect((await postPhoto(Buffer.from('anything'), 'image/jpeg', 'gate-1', {})).status).toBe(403);
		expect((await postPhoto(Buffer.from('anything'), 'image/jpeg', 'gate-1', { [HOOK_HEADER]: 'guess' })).status).toBe(403);
		expect(whatsappMessages()).toHaveLength(sent);
	}, 60_000);

	// The models load before the upload is decoded, so this needs them too.
	plateFixtures.it('answers 400 for an upload that is not a photo', async () => {
		const { result: res, alerts } = await counting(() => postPhoto('not really a jpeg', 'image/jpeg', 'gate-1'));
		expect({ status: res.status, body: res.body }).toMatchObject({ status: 400 });
		expect(res.body.error).toMatch(/^Could not read plates from the upload: .*image/i);
		expect(alerts).toHaveLength(0);
	}, 60_000);
});

describe('The camera workflow file', () => {
	it('shows the match distance, the alert window and the model switch in Alert Settings and on its sticky note', () => {
		const settings = camera.nodes.find((node) => node.name === 'Alert Settings')!;
		const values = Object.fromEntries(
			(settings.parameters as { assignments: { assignments: Array<{ name: string; value: unknown }> } }).assignments.assignments.map((a) => [a.name, a.value]),
		);
		expect(values).toEqual({ maxMatchDistance: 1, alertWindowMinutes: 10, writeAlertWithModel: true });
		const note = String((camera.nodes.find((node) => node.name === 'How Alerts Are Decided')!.parameters as { content: string }).content);
		expect(note).toContain('`maxMatchDistance` **1**');
		expect(note).toContain('`alertWindowMinutes` **10**');
		expect(note).toContain('`writeAlertWithModel` **true**');
		expect((plateNode.parameters as Record<string, unknown>).watchlistMaxDistance).toBe("={{ $('Alert Settings').first().json.maxMatchDistance }}");
	});

	it('claims and gives back an alert only where the listed row still holds the lastAlerts that were read (compare-and-set)', () => {
		for (const name of ['Claim Alert', 'Release Claim']) {
			const parameters = camera.nodes.find((node) => node.name === name)!.parameters as Record<string, any>;
			expect(parameters).toMatchObject({ operation: 'update', dataTableId: { value: 'stolen_vehicles' }, matchType: 'allConditions' });
			expect(parameters.filters.conditions.map((c: { keyName: string }) => c.keyName)).toEqual(['id', 'lastAlerts']);
			expect(parameters.columns.value).toEqual({ lastAlerts: '={{ $json.claim.next }}' });
		}
		const note = String((camera.nodes.find((node) => node.name === 'Setup')!.parameters as { content: string }).content);
		expect(note).toContain('`stolen_vehicles` with string columns `plate`, `reason`, `notes`, `lastAlerts`');
	});
});
