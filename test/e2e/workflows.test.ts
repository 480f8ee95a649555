// The ready-to-import workflows in workflows/, each run end to end in one real n8n: OpenAI and Tavily are local fakes,
// Gmail, Slack and WhatsApp are answered by the HTTPS capture, plates are read from real photos with the real models.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { startHttpsCapture, type CapturedRequest, type HttpsCapture } from '../fakes/httpsCapture';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { CAR_PHOTO, PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, requireFixtures } from '../helpers/fixtures';
import { startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const REPO = resolve(__dirname, '../..');
const plateFixtures = requireFixtures('the camera plate workflow tests', [PLATE_DETECTOR_MODEL, PLATE_OCR_MODEL, CAR_PHOTO]);
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (!haveFfmpeg) console.warn('Skipping the camera clip test: ffmpeg is not on PATH (Debian: apt-get install ffmpeg)');
const itWithClips = haveFfmpeg ? plateFixtures.it : it.skip;

const OPENAI_KEY = 'sk-e2e-workflows-key';
const TAVILY_KEY = 'tvly-e2e-workflows-key';
const SLACK_TOKEN = 'xoxb-e2e-workflows-token';
const GMAIL_TOKEN = 'ya29.e2e-workflows-token';
const WHATSAPP_TOKEN = 'EAAG-e2e-workflows-token';
const HOOK_HEADER = 'X-Api-Key';
const HOOK_SECRET = 'hook-secret-4f1d9a7c2b';
const auth = { [HOOK_HEADER]: HOOK_SECRET };

function loadWorkflow(file: string): WorkflowSpec {
	return JSON.parse(readFileSync(join(REPO, 'workflows', file), 'utf8')) as WorkflowSpec;
}

const research = loadWorkflow('research-agent-email.json');
const digest = loadWorkflow('weekly-digest-slack.json');
const camera = loadWorkflow('camera-plate-whatsapp.json');
const knowledge = loadWorkflow('knowledge-bot.json');

// No internet here: the Plate Detector reads the shared models instead of downloading them.
const plateNode = camera.nodes.find((node) => node.name === 'Read Plates')!;
plateNode.parameters = {
	...(plateNode.parameters as object),
	options: {
		includeAnnotatedImage: true,
		executionProvider: 'cpu',
		detectorModelPath: plateFixtures.path(PLATE_DETECTOR_MODEL),
		ocrModelPath: plateFixtures.path(PLATE_OCR_MODEL),
	},
};
const GUARD_PHONE = '+15550000000';

/** WhatsApp media uploads answer with the media id, as the Cloud API does; everything else gets the capture's default. */
const whatsAppMedia = (request: CapturedRequest) => (/^\/v[\d.]+\/[^/]+\/media$/.test(request.path.split('?')[0]) ? { body: { id: '1013859600285441' } } : undefined);

let capture: HttpsCapture;
let openai: FakeOpenAI;
let tavily: FakeTavily;
let n8n: N8nInstance;

beforeAll(async () => {
	capture = await startHttpsCapture();
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, embeddingDims: 64 });
	tavily = await startFakeTavily({ apiKey: TAVILY_KEY });
	capture.setHandler(whatsAppMedia);
	n8n = await startN8n({
		env: capture.proxyEnv(),
		credentials: [
			{ name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'Tavily account', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
			{
				name: 'Gmail account',
				type: 'gmailOAuth2',
				data: {
					clientId: 'e2e-client.apps.googleusercontent.com',
					clientSecret: 'e2e-client-secret',
					oauthTokenData: { access_token: GMAIL_TOKEN, refresh_token: '1//e2e-refresh', token_type: 'Bearer', expires_in: 3599, scope: 'https://www.googleapis.com/auth/gmail.send' },
				},
			},
			{ name: 'Slack account', type: 'slackApi', data: { accessToken: SLACK_TOKEN } },
			{ name: 'WhatsApp account', type: 'whatsAppApi', data: { accessToken: WHATSAPP_TOKEN, businessAccountId: '102290129340398' } },
			{ name: 'Webhook header auth', type: 'httpHeaderAuth', data: { name: HOOK_HEADER, value: HOOK_SECRET } },
		],
		workflows: [research, digest, camera, knowledge],
	});
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await capture?.close();
	await openai?.close();
	await tavily?.close();
}, 60_000);

/** The model's last tool results in a chat-completions request, parsed when they are JSON. */
function toolResults(request: FakeRequest): string[] {
	return request.body.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { content: unknown }) => String(m.content));
}

function urlsIn(text: string): string[] {
	return [...new Set(text.match(/https?:\/\/[^\s"'<>\\\]]+/g) ?? [])];
}

/** The top headers and the HTML part of a MIME message as Gmail's API receives it (`raw`, base64url), transfer encoding undone. */
function mimeParts(raw: string): { headers: string; html: string } {
	const mime = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8').replace(/\r\n/g, '\n');
	const blocks = mime.split(/\n\n/);
	const at = blocks.findIndex((block) => /^Content-Type: text\/html/im.test(block));
	if (at < 0) throw new Error(`no HTML part in the email:\n${mime.slice(0, 500)}`);
	const body = blocks.slice(at + 1).join('\n\n').split(/\n--/)[0];
	let html = body;
	if (/^Content-Transfer-Encoding: quoted-printable/im.test(blocks[at])) {
		const bytes = body.replace(/=\n/g, '').replace(/%/g, '%25').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
		html = decodeURIComponent(bytes);
	} else if (/^Content-Transfer-Encoding: base64/im.test(blocks[at])) {
		html = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	}
	return { headers: blocks[0], html };
}

const gmailSends = () => capture.requests.filter((r) => /\/gmail\/v1\/users\/[^/]+\/messages\/send$/.test(r.path.split('?')[0]));
const slackPosts = () => capture.requestsTo('slack.com', '/api/chat.postMessage');
const whatsappMessages = () => capture.requests.filter((r) => r.host === 'graph.facebook.com' && /\/messages$/.test(r.path.split('?')[0]));
const chatCalls = () => openai.requests.filter((r) => r.path.endsWith('/chat/completions'));

describe('Research agent → email', () => {
	const question = 'Research our competitors in open-source workflow automation and email me a summary';

	it('searches and reads the web, emails a cited HTML summary without n8n attribution, and answers the webhook with it', async () => {
		let summary = '';
		openai.setScript([
			() => ({ toolCalls: [{ name: 'web_search', arguments: { query: 'open-source workflow automation competitors' } }] }),
			(request) => {
				const found = JSON.parse(toolResults(request).at(-1)!);
				return { toolCalls: [{ name: 'web_extract', arguments: { urls: [found.results[0].url] } }] };
			},
			(request) => {
				const results = JSON.parse(toolResults(request)[0]).results as Array<{ url: string; title: string }>;
				summary = `Zapier & Make lead hosted automation <b>today</b>: ${results[0].url}\n\nActivepieces is the closest open-source rival: ${results[1].url}`;
				return { content: summary };
			},
		]);
		const sendsBefore = gmailSends().length;
		const searchesBefore = tavily.requests.length;

		const res = await n8n.webhook('POST', 'research', { question, email: 'ceo@example.com' }, auth);

		expect(res.status).toBe(200);
		const [first, second] = urlsIn(summary);
		expect(res.body).toMatchObject({ answer: summary, citations: [first, second], emailedTo: 'ceo@example.com' });
		expect(res.body.emailId).toMatch(/^18c/);
		expect(tavily.requests.slice(searchesBefore).map((r) => r.path)).toEqual(['/search', '/extract']);

		const sends = gmailSends().slice(sendsBefore);
		expect(sends).toHaveLength(1);
		expect(sends[0].headers.authorization).toBe(`Bearer ${GMAIL_TOKEN}`);
		const { headers, html } = mimeParts((sends[0].body as { raw: string }).raw);
		expect(headers).toMatch(/^To: ceo@example\.com/m);
		expect(headers).toMatch(/^Subject: .*Research/m);
		expect(html).toContain('<p>Zapier &amp; Make lead hosted automation &lt;b>today&lt;/b>:');
		expect(html).toContain('<p>Activepieces is the closest open-source rival:');
		expect(html).toContain(`<li><a href="${first}">${first}</a></li><li><a href="${second}">${second}</a></li>`);
		expect(html).not.toMatch(/n8n/i);
		expect(JSON.stringify(res.body)).not.toContain(OPENAI_KEY);
	}, 120_000);

	it('refuses a call without the webhook header, and one without an email, sending nothing', async () => {
		const [sends, calls] = [gmailSends().length, chatCalls().length];

		const noHeader = await n8n.webhook('POST', 'research', { question, email: 'ceo@example.com' });
		expect(noHeader.status).toBe(403);
		const wrongHeader = await n8n.webhook('POST', 'research', { question, email: 'ceo@example.com' }, { [HOOK_HEADER]: 'guess' });
		expect(wrongHeader.status).toBe(403);

		const noEmail = await n8n.webhook('POST', 'research', { question }, auth);
		expect(noEmail.status).toBe(400);
		expect(noEmail.body.error).toMatch(/"email"/);

		expect(gmailSends()).toHaveLength(sends);
		expect(chatCalls()).toHaveLength(calls);
	}, 60_000);

	it('answers 502 naming the failure when the model rejects the API key, and emails nothing', async () => {
		const credentialId = n8n.credentialIds['OpenAI-compatible account'];
		const good = { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' };
		await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { ...good, apiKey: 'sk-wrong' } });
		const sends = gmailSends().length;
		try {
			const res = await n8n.webhook('POST', 'research', { question, email: 'ceo@example.com' }, auth);
			expect({ status: res.status, body: res.body }).toMatchObject({ status: 502 });
			expect(res.body.error).toMatch(/^The research agent failed: .*(key|401|auth)/i);
			expect(JSON.stringify(res.body)).not.toContain('sk-wrong');
		} finally {
			await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: good });
		}
		expect(gmailSends()).toHaveLength(sends);
	}, 60_000);
});

describe('Weekly digest → Slack', () => {
	/** Runs the scheduled workflow once, as "Execute workflow" in the editor does, and waits for it to finish. */
	async function runDigestOnce(expectedStatus = 'success') {
		const workflowId = n8n.workflowIds[digest.name];
		const before = (await n8n.executions(workflowId)).map((e) => Number(e.id));
		const started = await n8n.rest('POST', `/workflows/${workflowId}/run`, { triggerToStartFrom: { name: 'Every Monday 08:00' } });
		expect(started.executionId).toBeDefined();
		const execution = await n8n.lastExecution(workflowId, { after: String(Math.max(0, ...before)), timeoutMs: 60_000 });
		expect(execution.status).toBe(expectedStatus);
		return execution;
	}

	it('posts a cited digest, and a week later leaves out what the last digest reported', async () => {
		const postsBefore = slackPosts().length;
		let firstDigest = '';
		openai.setScript([
			() => ({ toolCalls: [{ name: 'web_search', arguments: { query: 'AI agents workflow automation news' } }] }),
			(request) => {
				const urls = JSON.parse(toolResults(request).at(-1)!).results.map((r: { url: string }) => r.url) as string[];
				firstDigest = urls.map((url, i) => `• Story ${i + 1}: ${url}`).join('\n');
				return { content: firstDigest };
			},
		]);
		await runDigestOnce();

		let secondRequestMessages: Array<{ role: string; content: unknown }> = [];
		let secondDigest = '';
		openai.setScript([
			(request) => {
				secondRequestMessages = request.body.messages;
				return {
					toolCalls: [
						{ name: 'web_search', arguments: { query: 'AI agents workflow automation news' } },
						{ name: 'web_search', arguments: { query: 'AI agents workflow automation releases' } },
					],
				};
			},
			(request) => {
				// The model leaves out every result its previous digest (in the conversation it was given) already reported.
				const earlier = request.body.messages
					.filter((m: { role: string }) => m.role === 'assistant')
					.map((m: { content: unknown }) => String(m.content ?? ''))
					.join('\n');
				const found = toolResults(request).flatMap((text) => JSON.parse(text).results.map((r: { url: string }) => r.url) as string[]);
				secondDigest = found.filter((url) => !earlier.includes(url)).map((url, i) => `• New ${i + 1}: ${url}`).join('\n');
				return { content: secondDigest };
			},
		]);
		await runDigestOnce();

		const posts = slackPosts().slice(postsBefore);
		expect(posts).toHaveLength(2);
		for (const post of posts) {
			expect(post.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
			expect((post.body as { channel: string }).channel).toBe('#news-digest');
		}
		const [firstText, secondText] = posts.map((p) => (p.body as { text: string }).text);
		expect(firstText).toBe(`*Weekly digest: AI agents and workflow automation*\n${firstDigest}`);
		expect(secondText).toBe(`*Weekly digest: AI agents and workflow automation*\n${secondDigest}`);
		expect(urlsIn(firstDigest).length).toBeGreaterThan(0);
		// The second run's model saw the first digest, and the second post repeats none of its stories.
		expect(secondRequestMessages.some((m) => m.role === 'assistant' && m.content === firstDigest)).toBe(true);
		expect(urlsIn(secondDigest).length).toBeGreaterThan(0);
		for (const url of urlsIn(firstDigest)) expect(secondText).not.toContain(url);
		expect(firstText + secondText).not.toMatch(/n8n/i);
	}, 180_000);

	it('fails the run with Slack\'s own reason when Slack rejects the bot token', async () => {
		capture.setHandler((request) => (request.host === 'slack.com' ? { body: { ok: false, error: 'invalid_auth' } } : undefined));
		openai.setScript([{ content: '• Nothing new this week.' }]);
		try {
			const execution = await runDigestOnce('error');
			expect(execution.data.resultData.lastNodeExecuted).toBe('Post to Slack');
			expect(execution.data.resultData.error?.message).toMatch(/invalid_auth/);
		} finally {
			capture.setHandler(whatsAppMedia);
		}
	}, 120_000);
});

describe('Camera → plate → WhatsApp', () => {
	const photo = () => readFileSync(plateFixtures.path(CAR_PHOTO));
	let projectId = '';
	const tables: Record<string, string> = {};

	async function postPhoto(body: Buffer | string, contentType: string, headers: Record<string, string> = auth, cameraName = 'gate-2') {
		const res = await fetch(`${n8n.url}/webhook/camera/plate?camera=${cameraName}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
		const text = await res.text();
		let parsed: any = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// Not JSON.
		}
		return { status: res.status, body: parsed };
	}

	async function sightings(): Promise<Array<Record<string, any>>> {
		const page = await n8n.rest('GET', `/projects/${projectId}/data-tables/${tables.plate_sightings}/rows?take=100`);
		return page.data;
	}

	/** The model looks each plate up with the stolen-list tool, then answers with the verdict schema. */
	function scriptPlateModel() {
		openai.setScript([
			(request) => {
				const tool = request.body.tools[0].function.name;
				const plates = [...String(request.body.messages.at(-1).content).matchAll(/([A-Z0-9]{4,10}) \(confidence/g)].map((m) => m[1]);
				return { toolCalls: plates.map((plate) => ({ name: tool, arguments: { plate } })) };
			},
			(request) => {
				const listed = toolResults(request).flatMap((text) => {
					const rows = JSON.parse(text);
					return Array.isArray(rows) ? rows : [];
				}) as Array<{ plate: string; note: string }>;
				const verdict = listed.length
					? { alert: true, plate: listed[0].plate, listedPlate: listed[0].plate, reason: `Listed as stolen: ${listed[0].note}` }
					: { alert: false, plate: '', reason: 'No plate is on the stolen-vehicle list.' };
				return { content: JSON.stringify(verdict) };
			},
		]);
	}

	beforeAll(async () => {
		projectId = (await n8n.rest('GET', '/projects/personal')).id;
		const stolen = await n8n.rest('POST', `/projects/${projectId}/data-tables`, {
			name: 'stolen_vehicles',
			columns: [
				{ name: 'plate', type: 'string' },
				{ name: 'note', type: 'string' },
			],
		});
		const log = await n8n.rest('POST', `/projects/${projectId}/data-tables`, {
			name: 'plate_sightings',
			columns: [
				{ name: 'seenAt', type: 'string' },
				{ name: 'camera', type: 'string' },
				{ name: 'plates', type: 'string' },
				{ name: 'stolen', type: 'boolean' },
				{ name: 'reason', type: 'string' },
			],
		});
		tables.stolen_vehicles = stolen.id;
		tables.plate_sightings = log.id;
	}, 60_000);

	plateFixtures.it('logs a plate that is not on the stolen list and alerts nobody', async () => {
		scriptPlateModel();
		const sent = whatsappMessages().length;
		const res = await postPhoto(photo(), 'image/png');
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ found: true, stolen: false, plates: ['5AU5341'], reason: 'No plate is on the stolen-vehicle list.', alertSent: false });
		expect(whatsappMessages()).toHaveLength(sent);
		const logged = await sightings();
		expect(logged).toHaveLength(1);
		expect(logged[0]).toMatchObject({ camera: 'gate-2', plates: '5AU5341', stolen: false });
	}, 120_000);

	plateFixtures.it('on a stolen plate, sends the guard the annotated photo on WhatsApp with plate, camera and time, and logs it', async () => {
		await n8n.rest('POST', `/projects/${projectId}/data-tables/${tables.stolen_vehicles}/insert`, {
			data: [
				{ plate: 'XY99ZZZ', note: 'grey van, reported 2026-11-02' },
				{ plate: '5AU5341', note: 'white sedan, reported 2026-11-20' },
			],
		});
		scriptPlateModel();
		const sentBefore = capture.requests.length;

		const res = await postPhoto(photo(), 'image/png', auth, 'gate-2');

		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ found: true, stolen: true, plates: ['5AU5341'], plate: '5AU5341', alertSent: true });
		expect(res.body.messageId).toMatch(/^wamid\./);
		const lookups = chatCalls().at(-1)!.body.messages.filter((m: { role: string }) => m.role === 'tool');
		expect(lookups).toHaveLength(1);

		const toWhatsApp = capture.requests.slice(sentBefore).filter((r) => r.host === 'graph.facebook.com');
		const upload = toWhatsApp.find((r) => r.path.endsWith('/YOUR_PHONE_NUMBER_ID/media')) as CapturedRequest;
		expect(upload).toBeDefined();
		expect(upload.headers.authorization).toBe(`Bearer ${WHATSAPP_TOKEN}`);
		expect(upload.headers['content-type']).toMatch(/^multipart\/form-data/);
		expect(upload.rawBody).toMatch(/filename="annotated\.jpg"\r\nContent-Type: image\/jpeg/);
		const message = toWhatsApp.find((r) => r.path.endsWith('/YOUR_PHONE_NUMBER_ID/messages'))!;
		const body = message.body as { to: string; type: string; image: { id: string; caption: string } };
		expect(body).toMatchObject({ messaging_product: 'whatsapp', to: GUARD_PHONE.replace('+', ''), type: 'image', image: { id: '1013859600285441' } });
		expect(body.image.caption).toContain('Stolen vehicle: 5AU5341');
		expect(body.image.caption).toContain('Camera: gate-2');
		expect(body.image.caption).toContain('Plates read: 5AU5341');
		expect(body.image.caption).toMatch(/Time: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
		expect(body.image.caption).toContain('white sedan, reported 2026-11-20');

		const logged = await sightings();
		expect(logged).toHaveLength(2);
		expect(logged.find((row) => row.stolen === true)).toMatchObject({ camera: 'gate-2', plates: '5AU5341', reason: 'Listed as stolen: white sedan, reported 2026-11-20' });
	}, 120_000);

	itWithClips('on a stolen plate in a video clip, sends the guard a WhatsApp text (a clip has no annotated photo)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'camera-clip-'));
		try {
			const clip = join(dir, 'clip.mp4');
			execFileSync('ffmpeg', ['-loglevel', 'error', '-loop', '1', '-i', plateFixtures.path(CAR_PHOTO), '-t', '1', '-r', '5', '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-pix_fmt', 'yuv420p', clip]);
			scriptPlateModel();
			const sentBefore = capture.requests.length;
			const res = await postPhoto(readFileSync(clip), 'video/mp4', auth, 'gate-3');
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ found: true, stolen: true, plates: ['5AU5341'], alertSent: true });
			const toWhatsApp = capture.requests.slice(sentBefore).filter((r) => r.host === 'graph.facebook.com');
			expect(toWhatsApp.map((r) => r.path.replace(/^\/v[\d.]+/, ''))).toEqual(['/YOUR_PHONE_NUMBER_ID/messages']);
			const body = toWhatsApp[0].body as { type: string; text: { body: string } };
			expect(body.type).toBe('text');
			expect(body.text.body).toContain('Stolen vehicle: 5AU5341');
			expect(body.text.body).toContain('Camera: gate-3');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 120_000);

	plateFixtures.it('answers 502 when WhatsApp refuses the alert, and still logs the sighting', async () => {
		capture.setHandler((request) =>
			request.host === 'graph.facebook.com' && request.path.endsWith('/messages')
				? { status: 401, body: { error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, fbtrace_id: 'AbCdEf123' } } }
				: whatsAppMedia(request),
		);
		scriptPlateModel();
		const logged = (await sightings()).length;
		try {
			const res = await postPhoto(photo(), 'image/png', auth, 'gate-4');
			expect(res.status).toBe(502);
			expect(res.body).toMatchObject({ found: true, stolen: true, plate: '5AU5341', alertSent: false });
			expect(res.body.error).toMatch(/^The WhatsApp alert could not be sent: /);
			expect(JSON.stringify(res.body)).not.toContain(WHATSAPP_TOKEN);
		} finally {
			capture.setHandler(whatsAppMedia);
		}
		const rows = await sightings();
		expect(rows).toHaveLength(logged + 1);
		expect(rows.find((row) => row.camera === 'gate-4')).toMatchObject({ plates: '5AU5341', stolen: true });
	}, 120_000);

	plateFixtures.it('answers a photo with no plate clearly, without asking the model or alerting anyone', async () => {
		const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 130, b: 125 } } }).jpeg().toBuffer();
		const [calls, sent, logged] = [chatCalls().length, whatsappMessages().length, (await sightings()).length];
		const res = await postPhoto(blank, 'image/jpeg', auth, 'back-door');
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ found: false, plates: [], camera: 'back-door', message: 'No licence plate found in the image' });
		expect(chatCalls()).toHaveLength(calls);
		expect(whatsappMessages()).toHaveLength(sent);
		expect(await sightings()).toHaveLength(logged);
	}, 120_000);

	it('refuses an upload without the camera header, reading nothing and alerting nobody', async () => {
		const sent = whatsappMessages().length;
		const noHeader = await postPhoto(Buffer.from('anything'), 'image/jpeg', {});
		expect(noHeader.status).toBe(403);
		const wrongHeader = await postPhoto(Buffer.from('anything'), 'image/jpeg', { [HOOK_HEADER]: 'guess' });
		expect(wrongHeader.status).toBe(403);
		expect(whatsappMessages()).toHaveLength(sent);
	}, 60_000);

	// The models load before the upload is decoded, so this needs them too.
	plateFixtures.it('answers 400 for an upload that is not a photo', async () => {
		const sent = whatsappMessages().length;
		const notPhoto = await postPhoto('not really a jpeg', 'image/jpeg');
		expect({ status: notPhoto.status, body: notPhoto.body }).toMatchObject({ status: 400 });
		expect(notPhoto.body.error).toMatch(/^Could not read plates from the upload: .*image/i);
		expect(whatsappMessages()).toHaveLength(sent);
	}, 60_000);
});

describe('Knowledge bot', () => {
	const chatWebhookId = knowledge.nodes.find((node) => node.name === 'Chat')!.webhookId as string;
	const documents = [
		{ text: 'Refunds are paid back within five business days of the return arriving.', source: 'https://intranet.example.com/policies/refunds', title: 'Refund policy' },
		{ text: 'Invoices are due 30 days after the invoice date.', source: 'https://intranet.example.com/policies/invoices', title: 'Invoicing' },
		{ text: 'The office is closed on public holidays.', source: 'https://intranet.example.com/office', title: 'Office hours' },
	];

	/** The model searches the knowledge base for the question, then answers from the best passage with its source. */
	function scriptKnowledgeModel(seen: FakeRequest[]) {
		openai.setScript([
			(request) => {
				seen.push(request);
				return { toolCalls: [{ name: request.body.tools[0].function.name, arguments: { query: String(request.body.messages.at(-1).content) } }] };
			},
			(request) => {
				seen.push(request);
				const hits = JSON.parse(toolResults(request).at(-1)!);
				const best = (Array.isArray(hits) ? hits : [hits])[0];
				return { content: `${best.text} (source: ${best.metadata.source})` };
			},
		]);
	}

	it('ingests documents through the webhook, then answers a chat question from them with the source cited', async () => {
		const stored = await n8n.webhook('POST', 'knowledge/ingest', { documents }, auth);
		expect(stored.status).toBe(200);
		expect(stored.body).toEqual({ stored: 3, chunks: 3, skippedEmpty: 0, namespace: 'knowledge' });

		const seen: FakeRequest[] = [];
		scriptKnowledgeModel(seen);
		const res = await n8n.webhook('POST', `${chatWebhookId}/chat`, { action: 'sendMessage', sessionId: 'visitor-1', chatInput: documents[0].text });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ output: `${documents[0].text} (source: ${documents[0].source})`, citations: [documents[0].source] });
		const embeds = openai.requests.filter((r) => r.path === '/v1/embeddings');
		expect(embeds.at(-1)?.body.input).toEqual([documents[0].text]);
	}, 120_000);

	it('remembers the conversation of a chat session', async () => {
		const seen: FakeRequest[] = [];
		scriptKnowledgeModel(seen);
		const res = await n8n.webhook('POST', `${chatWebhookId}/chat`, { action: 'sendMessage', sessionId: 'visitor-1', chatInput: documents[1].text });
		expect(res.body.output).toBe(`${documents[1].text} (source: ${documents[1].source})`);
		const earlier = seen[0].body.messages.map((m: { role: string; content: unknown }) => `${m.role}: ${String(m.content ?? '')}`);
		expect(earlier).toContain(`user: ${documents[0].text}`);
		expect(earlier).toContain(`assistant: ${documents[0].text} (source: ${documents[0].source})`);

		const otherVisitor: FakeRequest[] = [];
		scriptKnowledgeModel(otherVisitor);
		await n8n.webhook('POST', `${chatWebhookId}/chat`, { action: 'sendMessage', sessionId: 'visitor-2', chatInput: documents[2].text });
		expect(otherVisitor[0].body.messages.some((m: { content: unknown }) => String(m.content).includes(documents[0].text))).toBe(false);
	}, 120_000);

	it('answers 502 to ingestion and an apology in the chat when the model provider rejects the key', async () => {
		const credentialId = n8n.credentialIds['OpenAI-compatible account'];
		const good = { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' };
		await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { ...good, apiKey: 'sk-wrong' } });
		try {
			const stored = await n8n.webhook('POST', 'knowledge/ingest', { documents }, auth);
			expect(stored.status).toBe(502);
			expect(stored.body.error).toMatch(/^The documents could not be stored: .*(key|401|auth)/i);
			const res = await n8n.webhook('POST', `${chatWebhookId}/chat`, { action: 'sendMessage', sessionId: 'visitor-3', chatInput: 'How long do refunds take?' });
			expect(res.status).toBe(200);
			expect(res.body.output).toMatch(/^Sorry, I could not answer that: .*(key|401|auth)/i);
			expect(res.body.citations).toEqual([]);
			expect(JSON.stringify([stored.body, res.body])).not.toContain('sk-wrong');
		} finally {
			await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: good });
		}
	}, 60_000);

	it('refuses ingestion without the header, and answers 400 when no documents are sent', async () => {
		const embeds = openai.requests.filter((r) => r.path === '/v1/embeddings').length;
		expect((await n8n.webhook('POST', 'knowledge/ingest', { documents })).status).toBe(403);
		const empty = await n8n.webhook('POST', 'knowledge/ingest', { documents: [] }, auth);
		expect(empty.status).toBe(400);
		expect(empty.body.error).toMatch(/"documents"/);
		expect(openai.requests.filter((r) => r.path === '/v1/embeddings')).toHaveLength(embeds);
	}, 60_000);
});

describe('Shipped workflow files', () => {
	const files = readdirSync(join(REPO, 'workflows')).filter((f) => f.endsWith('.json'));

	it.each(files)('%s has a setup sticky note naming every node that needs a credential, and placeholder credentials only', (file) => {
		const workflow = loadWorkflow(file);
		const note = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote');
		expect(note).toBeDefined();
		const content = String((note!.parameters as { content: string }).content);
		const needingCredentials = workflow.nodes.filter((n) => n.credentials);
		// Every shipped workflow runs an Agent Brain at least, so a workflow without credentials means the loop checked nothing.
		expect(needingCredentials.length).toBeGreaterThan(0);
		for (const node of needingCredentials) {
			expect(content).toContain(`**${node.name}**`);
			for (const ref of Object.values(node.credentials!)) expect(ref.id).toMatch(/^REPLACE_/);
		}
	});

	it('turns off the attribution n8n appends to Gmail and Slack messages', () => {
		const nodes = files.flatMap((file) => loadWorkflow(file).nodes);
		const gmail = nodes.filter((n) => n.type === 'n8n-nodes-base.gmail');
		const slack = nodes.filter((n) => n.type === 'n8n-nodes-base.slack');
		// The research and digest workflows send through them: finding none means the checks below check nothing.
		expect({ gmail: gmail.length > 0, slack: slack.length > 0 }).toEqual({ gmail: true, slack: true });
		for (const node of gmail) expect((node.parameters as any).options.appendAttribution).toBe(false);
		for (const node of slack) expect((node.parameters as any).otherOptions.includeLinkToWorkflow).toBe(false);
	});
});
