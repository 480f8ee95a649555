// n8n's own Slack and HTTP Request nodes reach fixed HTTPS hosts through the capture proxy, which records what they sent.
import { startHttpsCapture, type HttpsCapture } from '../fakes/httpsCapture';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const SLACK_TOKEN = 'xoxb-e2e-capture-token';

const slackWorkflow: WorkflowSpec = {
	name: 'Slack through capture',
	nodes: [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: 'e2e-capture-slack',
			parameters: { httpMethod: 'POST', path: 'capture-slack', responseMode: 'responseNode', options: {} },
		},
		{
			name: 'Slack',
			type: 'n8n-nodes-base.slack',
			typeVersion: 2.4,
			position: [200, 0],
			credentials: { slackApi: { name: 'Slack bot' } },
			parameters: {
				authentication: 'accessToken',
				resource: 'message',
				operation: 'post',
				select: 'channel',
				channelId: { __rl: true, mode: 'id', value: 'C0E2ETEST' },
				messageType: 'text',
				text: '={{ $json.body.text }}',
				otherOptions: { includeLinkToWorkflow: false },
			},
		},
		{
			name: 'Respond to Webhook',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.5,
			position: [400, 0],
			parameters: { respondWith: 'firstIncomingItem', options: {} },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Slack', type: 'main', index: 0 }]] },
		Slack: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
	},
};

const httpRequestWorkflow: WorkflowSpec = {
	name: 'HTTP Request through capture',
	nodes: [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: 'e2e-capture-http',
			parameters: { httpMethod: 'POST', path: 'capture-http', responseMode: 'lastNode', options: {} },
		},
		{
			name: 'Send WhatsApp',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [200, 0],
			parameters: {
				method: 'POST',
				url: 'https://graph.facebook.com/v22.0/1234567890/messages',
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: 'Bearer EAAG-e2e' }] },
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ messaging_product: "whatsapp", to: $json.body.to, type: "text", text: { body: $json.body.text } }) }}',
				options: {},
			},
		},
	],
	connections: { Webhook: { main: [[{ node: 'Send WhatsApp', type: 'main', index: 0 }]] } },
};

/** Webhook → one service node → the service node's output as the response. */
function serviceWorkflow(name: string, webhookPath: string, node: WorkflowSpec['nodes'][number]): WorkflowSpec {
	return {
		name,
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: `e2e-${webhookPath}`,
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', options: {} },
			},
			{ position: [200, 0], ...node },
		],
		connections: { Webhook: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
	};
}

const gmailWorkflow = serviceWorkflow('Gmail through capture', 'capture-gmail', {
	name: 'Gmail',
	type: 'n8n-nodes-base.gmail',
	typeVersion: 2.1,
	credentials: { gmailOAuth2: { name: 'Gmail account' } },
	parameters: {
		resource: 'message',
		operation: 'send',
		sendTo: '={{ $json.body.to }}',
		subject: 'Plate alert',
		emailType: 'text',
		message: '={{ $json.body.text }}',
		options: { appendAttribution: false },
	},
});

const whatsappWorkflow = serviceWorkflow('WhatsApp through capture', 'capture-whatsapp', {
	name: 'WhatsApp',
	type: 'n8n-nodes-base.whatsApp',
	typeVersion: 1.1,
	credentials: { whatsAppApi: { name: 'WhatsApp account' } },
	parameters: {
		resource: 'message',
		operation: 'send',
		phoneNumberId: '109876543210',
		recipientPhoneNumber: '={{ $json.body.to }}',
		messageType: 'text',
		textBody: '={{ $json.body.text }}',
		additionalFields: {},
	},
});

let capture: HttpsCapture;
let n8n: N8nInstance;

beforeAll(async () => {
	capture = await startHttpsCapture();
	n8n = await startN8n({
		env: capture.proxyEnv(),
		credentials: [
			{ name: 'Slack bot', type: 'slackApi', data: { accessToken: SLACK_TOKEN } },
			{
				name: 'Gmail account',
				type: 'gmailOAuth2',
				data: {
					clientId: 'e2e-client.apps.googleusercontent.com',
					clientSecret: 'e2e-client-secret',
					oauthTokenData: { access_token: 'ya29.e2e-access', refresh_token: '1//e2e-refresh', token_type: 'Bearer', expires_in: 3599 },
				},
			},
			{ name: 'WhatsApp account', type: 'whatsAppApi', data: { accessToken: 'EAAG-e2e-whatsapp', businessAccountId: '1122334455' } },
		],
		workflows: [slackWorkflow, httpRequestWorkflow, gmailWorkflow, whatsappWorkflow],
	});
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await capture?.close();
}, 60_000);

test("n8n's Slack node posts the message to slack.com with the bot token, and gets Slack's answer back", async () => {
	const res = await n8n.webhook('POST', 'capture-slack', { text: 'Plate KA01AB1234 seen at gate 2' });

	const posts = capture.requestsTo('slack.com', '/api/chat.postMessage');
	expect(posts).toHaveLength(1);
	expect(posts[0].method).toBe('POST');
	expect(posts[0].headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
	expect(posts[0].body).toMatchObject({ channel: 'C0E2ETEST', text: 'Plate KA01AB1234 seen at gate 2' });

	expect(res.status).toBe(200);
	const execution = await n8n.lastExecution(n8n.workflowIds[slackWorkflow.name]);
	expect(execution.status).toBe('success');
	const [sent] = nodeOutput(execution, 'Slack');
	expect(sent).toMatchObject({ ok: true, channel: 'C0E2ETEST', message: { text: 'Plate KA01AB1234 seen at gate 2' } });
	expect(res.body).toEqual(sent);
}, 60_000);

test("n8n's HTTP Request node reaches graph.facebook.com through the capture and returns the WhatsApp Cloud API answer", async () => {
	const res = await n8n.webhook('POST', 'capture-http', { to: '+15550001111', text: 'hello' });

	const sends = capture.requestsTo('graph.facebook.com', '/v22.0/1234567890/messages');
	expect(sends).toHaveLength(1);
	expect(sends[0].headers.authorization).toBe('Bearer EAAG-e2e');
	expect(sends[0].body).toEqual({ messaging_product: 'whatsapp', to: '+15550001111', type: 'text', text: { body: 'hello' } });

	expect(res.status).toBe(200);
	expect(res.body).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: '+15550001111', wa_id: '15550001111' }] });
	expect(res.body.messages[0].id).toMatch(/^wamid\./);
}, 60_000);

test("n8n's Gmail node sends the mail through gmail.googleapis.com with the OAuth token and returns Gmail's message id", async () => {
	const res = await n8n.webhook('POST', 'capture-gmail', { to: 'ops@example.com', text: 'Plate KA01AB1234 is on the watchlist' });

	const sends = capture.requests.filter((r) => /\/gmail\/v1\/users\/me\/messages\/send$/.test(r.path.split('?')[0]));
	expect(sends).toHaveLength(1);
	expect(sends[0].headers.authorization).toBe('Bearer ya29.e2e-access');
	// Gmail takes the RFC 822 message base64url-encoded in "raw".
	const raw = Buffer.from(String((sends[0].body as { raw: string }).raw), 'base64url').toString('utf8');
	expect(raw).toMatch(/^To: ops@example\.com/m);
	expect(raw).toMatch(/^Subject: Plate alert/m);
	expect(raw).toContain('Plate KA01AB1234 is on the watchlist');

	expect(res.status).toBe(200);
	expect(res.body).toMatchObject({ labelIds: ['SENT'] });
	expect(res.body.id).toEqual(expect.any(String));
}, 60_000);

test("n8n's WhatsApp node sends a text through the WhatsApp Cloud API with the access token", async () => {
	const res = await n8n.webhook('POST', 'capture-whatsapp', { to: '+15550002222', text: 'Gate 2: KA01AB1234' });

	const sends = capture.requests.filter((r) => r.host === 'graph.facebook.com' && r.path.endsWith('/109876543210/messages'));
	expect(sends).toHaveLength(1);
	expect(sends[0].headers.authorization).toBe('Bearer EAAG-e2e-whatsapp');
	// The node sends the number in international format without its "+".
	expect(sends[0].body).toMatchObject({ messaging_product: 'whatsapp', to: '15550002222', type: 'text', text: { body: 'Gate 2: KA01AB1234' } });

	expect(res.status).toBe(200);
	expect(res.body).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: '15550002222', wa_id: '15550002222' }] });
	expect(res.body.messages[0].id).toMatch(/^wamid\./);
}, 60_000);
