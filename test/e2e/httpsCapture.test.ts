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

let capture: HttpsCapture;
let n8n: N8nInstance;

beforeAll(async () => {
	capture = await startHttpsCapture();
	n8n = await startN8n({
		env: capture.proxyEnv(),
		credentials: [{ name: 'Slack bot', type: 'slackApi', data: { accessToken: SLACK_TOKEN } }],
		workflows: [slackWorkflow, httpRequestWorkflow],
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
