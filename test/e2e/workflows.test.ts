// The ready-to-import research, digest and knowledge workflows in workflows/, each run end to end in one real n8n: OpenAI
// and Tavily are local fakes, Gmail and Slack are answered by the HTTPS capture. The camera workflow has its own file,
// workflows.camera.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startHttpsCapture, type HttpsCapture } from '../fakes/httpsCapture';
import { startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../fakes/openai';
import { startFakeTavily, type FakeTavily } from '../fakes/tavily';
import { agentBrainProperties } from '../../nodes/AgentBrain/description';
import { DEFAULT_CONVERSATION_TABLE } from '../../nodes/AgentBrain/engine/postgresConversationStore';
import { backendOptions } from '../../nodes/VectorMemory/backends';
import { nodeOutput, startN8n, type N8nInstance, type WorkflowSpec } from './harness';
import { streamWebhook } from './streaming';
import { approvalLinks, gmailCredential, gmailSends as sentThroughGmail, mimeParts } from './gmail';

const REPO = resolve(__dirname, '../..');

const OPENAI_KEY = 'sk-e2e-workflows-key';
const TAVILY_KEY = 'tvly-e2e-workflows-key';
const SLACK_TOKEN = 'xoxb-e2e-workflows-token';
const GMAIL_TOKEN = 'ya29.e2e-workflows-token';
const HOOK_HEADER = 'X-Api-Key';
const HOOK_SECRET = 'hook-secret-4f1d9a7c2b';
const auth = { [HOOK_HEADER]: HOOK_SECRET };

function loadWorkflow(file: string): WorkflowSpec {
	return JSON.parse(readFileSync(join(REPO, 'workflows', file), 'utf8')) as WorkflowSpec;
}

const research = loadWorkflow('research-agent-email.json');
const digest = loadWorkflow('weekly-digest-slack.json');
const knowledge = loadWorkflow('knowledge-bot.json');

/** The n8n 1.x variant, on its own path. */
const researchN8n1 = loadWorkflow('n8n1/research-agent-email.json');
for (const node of researchN8n1.nodes) {
	if (node.name === 'Research Request') Object.assign(node, { webhookId: '1c3e5a7b-9d0f-4e2a-8c4e-6a8c0e2a4c6e', parameters: { ...(node.parameters as object), path: 'research-n8n1' } });
}

/** The research workflow with `requireApproval` off in Approval Settings, listening on its own path. */
const researchDirect = loadWorkflow('research-agent-email.json');
researchDirect.name = `${research.name} (no approval)`;
for (const node of researchDirect.nodes) {
	if (node.name === 'Research Request') Object.assign(node, { webhookId: '7d9e1f3a-5b6c-4d8e-a0f2-4b6c8d0e2f3a', parameters: { ...(node.parameters as object), path: 'research-direct' } });
	if (node.name !== 'Approval Settings') continue;
	for (const a of (node.parameters as { assignments: { assignments: Array<{ name: string; value: unknown }> } }).assignments.assignments) {
		if (a.name === 'requireApproval') a.value = false;
	}
}

let capture: HttpsCapture;
let openai: FakeOpenAI;
let tavily: FakeTavily;
let n8n: N8nInstance;

beforeAll(async () => {
	capture = await startHttpsCapture();
	openai = await startFakeOpenAI({ apiKey: OPENAI_KEY, embeddingDims: 64 });
	tavily = await startFakeTavily({ apiKey: TAVILY_KEY });
	n8n = await startN8n({
		env: capture.proxyEnv(),
		credentials: [
			{ name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' } },
			{ name: 'Tavily account', type: 'tavilyAgenticApi', data: { apiKey: TAVILY_KEY, baseUrl: tavily.url } },
			gmailCredential(GMAIL_TOKEN),
			{ name: 'Slack account', type: 'slackApi', data: { accessToken: SLACK_TOKEN } },
			{ name: 'Webhook header auth', type: 'httpHeaderAuth', data: { name: HOOK_HEADER, value: HOOK_SECRET } },
		],
		workflows: [research, researchDirect, researchN8n1, digest, knowledge],
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

const gmailSends = () => sentThroughGmail(capture);
const slackPosts = () => capture.requestsTo('slack.com', '/api/chat.postMessage');
const chatCalls = () => openai.requests.filter((r) => r.path.endsWith('/chat/completions'));

describe('Research agent → email', () => {
	const question = 'Research our competitors in open-source workflow automation and email me a summary';
	const SUBJECT = 'Open-source workflow automation: competitors';

	const APPROVER = 'approver@example.com';
	const sentTo = (request: { body: unknown }) => /^To: (.*)$/m.exec(mimeParts((request.body as { raw: string }).raw).headers)?.[1];

	/** Scripts a search, a read and a cited summary; returns the summary once the model has written it. */
	function scriptResearch(): () => string {
		let summary = '';
		openai.setScript([...researchSteps((written) => (summary = written)), ...sendSteps()]);
		return () => summary;
	}

	function researchSteps(written: (summary: string) => void) {
		return [
			() => ({ toolCalls: [{ name: 'web_search', arguments: { query: 'open-source workflow automation competitors' } }] }),
			(request: FakeRequest) => {
				const found = JSON.parse(toolResults(request).at(-1)!);
				return { toolCalls: [{ name: 'web_extract', arguments: { urls: [found.results[0].url] } }] };
			},
			(request: FakeRequest) => {
				const results = JSON.parse(toolResults(request)[0]).results as Array<{ url: string; title: string }>;
				const summary = `Zapier & Make lead hosted automation <b>today</b>: ${results[0].url}\n\nActivepieces is the closest open-source rival: ${results[1].url}`;
				written(summary);
				return { content: summary };
			},
		];
	}

	/** The Send Summary agent: one call of its email tool with a subject line, then a sentence on what happened. */
	function sendSteps() {
		return [
			(request: FakeRequest) => ({ toolCalls: [{ name: request.body.tools[0].function.name, arguments: { subject: SUBJECT } }] }),
			(request: FakeRequest) => {
				const told = toolResults(request).at(-1)!;
				return { content: /"id":/.test(told) ? 'The summary was sent to ceo@example.com.' : `Nothing was sent. (${told})` };
			},
		];
	}

	/** Posts the research request and waits until its execution is waiting for approval; returns the approval email's links. */
	async function requestResearch(path = 'research', workflowName = research.name): Promise<{ res: Awaited<ReturnType<N8nInstance['webhook']>>; executionId: string; approve: string; decline: string; approvalEmail: string }> {
		const workflowId = n8n.workflowIds[workflowName];
		const before = Math.max(0, ...(await n8n.executions(workflowId)).map((e) => Number(e.id)));
		const sendsBefore = gmailSends().length;
		const res = await n8n.webhook('POST', path, { question, email: 'ceo@example.com' }, auth);
		let waiting: { id: string; status: string } | undefined;
		for (let tries = 0; tries < 100 && !waiting; tries++) {
			waiting = (await n8n.executions(workflowId)).find((e) => Number(e.id) > before && e.status === 'waiting');
			if (!waiting) await new Promise((r) => setTimeout(r, 200));
		}
		if (!waiting) throw new Error(`no research execution is waiting for approval; the webhook answered ${res.status} ${JSON.stringify(res.body)}\n${n8n.logTail(30)}`);
		const sends = gmailSends().slice(sendsBefore);
		expect(sends.map(sentTo)).toEqual([APPROVER]);
		const { html } = mimeParts((sends[0].body as { raw: string }).raw);
		return { res, executionId: waiting.id, ...approvalLinks(html, n8n.url), approvalEmail: html };
	}

	async function finished(executionId: string) {
		for (let tries = 0; tries < 150; tries++) {
			const execution = await n8n.getExecution(executionId);
			if (execution.status !== 'waiting' && execution.status !== 'running' && execution.status !== 'new') return execution;
			await new Promise((r) => setTimeout(r, 200));
		}
		throw new Error(`execution ${executionId} did not finish after the approval`);
	}
	const clickAs = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' };

	/** The cited HTML the requester gets: the summary escaped, one paragraph per finding, the verified sources as links. */
	function expectCitedHtml(html: string, [first, second]: string[]) {
		expect(html).toContain('<p>Zapier &amp; Make lead hosted automation &lt;b>today&lt;/b>:');
		expect(html).toContain('<p>Activepieces is the closest open-source rival:');
		expect(html).toContain(`<li><a href="${first}">${first}</a></li><li><a href="${second}">${second}</a></li>`);
		expect(html).not.toMatch(/n8n/i);
	}

	it('researches, answers the call at once, and the Send Summary agent\'s email waits for the approver; on Approve exactly one cited HTML email goes to the requester', async () => {
		const summary = scriptResearch();
		const searchesBefore = tavily.requests.length;
		const callsBefore = chatCalls().length;

		const { res, executionId, approve, approvalEmail } = await requestResearch();

		expect(res.status).toBe(200);
		const cited = urlsIn(summary());
		expect(res.body).toEqual({ answer: summary(), citations: cited, emailTo: 'ceo@example.com', approval: 'pending', approver: APPROVER });
		expect(tavily.requests.slice(searchesBefore).map((r) => r.path)).toEqual(['/search', '/extract']);
		// Send Summary's model sees only the email tool, asking for nothing but the subject line.
		const offered = chatCalls()[callsBefore + 3].body.tools.map((t: { function: { name: string; parameters: { properties: object } } }) => t.function);
		expect(offered.map((f: { name: string }) => f.name)).toEqual(['Send_Email']);
		expect(Object.keys(offered[0].parameters.properties)).toEqual(['subject']);
		// The approver sees what the agent would send, to whom, with the agent's subject line, before it goes.
		expect(approvalEmail).toContain('To: ceo@example.com');
		expect(approvalEmail).toContain(`Subject: ${SUBJECT}`);
		expect(approvalEmail).toContain('Activepieces is the closest open-source rival');
		expect(approvalEmail).toContain(cited[1]);
		const waiting = await n8n.getExecution(executionId);
		expect(waiting.status).toBe('waiting');
		expect(Object.keys(waiting.data.resultData.runData)).not.toContain('Send Email');
		const sendsBefore = gmailSends().length;

		const clicked = await fetch(approve, { headers: clickAs });
		expect(clicked.status).toBe(200);
		const execution = await finished(executionId);

		expect(execution.status).toBe('success');
		const sends = gmailSends().slice(sendsBefore);
		expect(sends.map(sentTo)).toEqual(['ceo@example.com']);
		expect(sends[0].headers.authorization).toBe(`Bearer ${GMAIL_TOKEN}`);
		const { headers, html } = mimeParts((sends[0].body as { raw: string }).raw);
		expect(headers).toMatch(new RegExp(`^Subject: ${SUBJECT}$`, 'm'));
		expectCitedHtml(html, cited);
		const [sent] = nodeOutput(execution, 'Send Summary');
		expect(sent).toMatchObject({ answer: 'The summary was sent to ceo@example.com.', stopReason: 'completed' });
		expect(sent.toolCalls).toEqual([expect.objectContaining({ name: 'Send_Email', arguments: { subject: SUBJECT }, approval: 'approved' })]);
		expect(execution.data.resultData.runData['Send Email']).toHaveLength(1);
		expect(JSON.stringify(res.body)).not.toContain(OPENAI_KEY);
		expect(JSON.stringify(execution.data)).not.toContain(GMAIL_TOKEN);
	}, 120_000);

	it('on Decline emails nothing to the requester, and the Send Summary agent\'s answer says nothing was sent', async () => {
		scriptResearch();
		const { executionId, decline } = await requestResearch();
		const sendsBefore = gmailSends().length;
		expect((await fetch(decline, { headers: clickAs })).status).toBe(200);
		const execution = await finished(executionId);
		expect(execution.status).toBe('success');
		expect(Object.keys(execution.data.resultData.runData)).not.toContain('Send Email');
		expect(gmailSends()).toHaveLength(sendsBefore);
		const [sent] = nodeOutput(execution, 'Send Summary');
		expect(sent.answer).toMatch(/^Nothing was sent\. \(The reviewer declined this call of Send_Email, so it was not run\./);
		expect(sent.toolCalls).toEqual([expect.objectContaining({ name: 'Send_Email', approval: 'declined' })]);
	}, 120_000);

	it('the n8n 1.x variant (workflows/n8n1/, a send-and-wait step after the research) emails the cited summary on Approve', async () => {
		let written = '';
		openai.setScript(researchSteps((summary) => (written = summary)));
		const { res, executionId, approve, approvalEmail } = await requestResearch('research-n8n1', researchN8n1.name);
		expect(res.body).toMatchObject({ answer: written, approval: 'pending', approver: APPROVER });
		expect(approvalEmail).toContain('Activepieces is the closest open-source rival');
		const sendsBefore = gmailSends().length;
		expect((await fetch(approve, { headers: clickAs })).status).toBe(200);
		expect((await finished(executionId)).status).toBe('success');
		const sends = gmailSends().slice(sendsBefore);
		expect(sends.map(sentTo)).toEqual(['ceo@example.com']);
		expectCitedHtml(mimeParts((sends[0].body as { raw: string }).raw).html, urlsIn(written));
	}, 120_000);

	it('with requireApproval off, emails the summary straight away and answers with the email id', async () => {
		const summary = scriptResearch();
		const [sendsBefore, callsBefore] = [gmailSends().length, chatCalls().length];
		const res = await n8n.webhook('POST', 'research-direct', { question, email: 'ceo@example.com' }, auth);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ answer: summary(), citations: urlsIn(summary()), emailedTo: 'ceo@example.com' });
		expect(res.body.emailId).toMatch(/^18c/);
		const sends = gmailSends().slice(sendsBefore);
		expect(sends.map(sentTo)).toEqual(['ceo@example.com']);
		expectCitedHtml(mimeParts((sends[0].body as { raw: string }).raw).html, urlsIn(summary()));
		// No agent sends it and no one is asked: three model calls, all the research's.
		expect(chatCalls().length - callsBefore).toBe(3);
		expect(Object.keys((await n8n.lastExecution(n8n.workflowIds[researchDirect.name])).data.resultData.runData)).not.toContain('Send Summary');
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
				}
	}, 120_000);
});

describe('Knowledge bot', () => {
	const chatWebhookId = knowledge.nodes.find((node) => node.name === 'Chat')!.webhookId as string;
	const documents = [
		{ text: 'Refunds are paid back within five business days of the return arriving.', source: 'https://intranet.example.com/policies/refunds', title: 'Refund policy' },
		{ text: 'Invoices are due 30 days after the invoice date.', source: 'https://intranet.example.com/policies/invoices', title: 'Invoicing' },
		{ text: 'The office is closed on public holidays.', source: 'https://intranet.example.com/office', title: 'Office hours' },
	];

	/** The model searches the knowledge base for the question, then writes its answer from the best passage, a word every 60 ms. */
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
				return { content: `${best.text} (source: ${best.metadata.source})`, streamDelayMs: 60 };
			},
		]);
	}

	/** Sends a message as n8n's chat widget does and reads the streamed reply: the answer's pieces and any error n8n sent. */
	async function chat(sessionId: string, chatInput: string) {
		const { chunks } = await streamWebhook(`${n8n.url}/webhook/${chatWebhookId}/chat`, { action: 'sendMessage', sessionId, chatInput });
		const items = chunks.filter((chunk) => chunk.type === 'item');
		return { chunks, items, text: items.map((chunk) => chunk.content).join(''), errors: chunks.filter((chunk) => chunk.type === 'error') };
	}

	it('ingests documents through the webhook, then streams the chat answer from them, the first words before the model has written its last', async () => {
		const stored = await n8n.webhook('POST', 'knowledge/ingest', { documents }, auth);
		expect(stored.status).toBe(200);
		expect(stored.body).toEqual({ stored: 3, chunks: 3, skippedEmpty: 0, namespace: 'knowledge' });

		const ingestion = await n8n.lastExecution(n8n.workflowIds[knowledge.name]);
		const seen: FakeRequest[] = [];
		scriptKnowledgeModel(seen);
		const reply = await chat('visitor-1', documents[0].text);
		const answer = `${documents[0].text} (source: ${documents[0].source})`;
		expect(reply.errors).toEqual([]);
		expect(reply.text).toBe(answer);
		const answering = openai.requests.find((r) => r.body === seen[1].body)!;
		expect(answering.body.stream).toBe(true);
		// Fifteen words 60 ms apart: the first reached the chat well before the model wrote its last.
		expect(answering.lastTokenAt! - reply.items[0].at).toBeGreaterThan(400);
		const embeds = openai.requests.filter((r) => r.path === '/v1/embeddings');
		expect(embeds.at(-1)?.body.input).toEqual([documents[0].text]);
		const execution = await n8n.lastExecution(n8n.workflowIds[knowledge.name], { after: ingestion.id });
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, 'Answer from Knowledge')[0]).toMatchObject({ answer, citations: [documents[0].source], stopReason: 'completed' });
	}, 120_000);

	it('remembers the conversation of a chat session', async () => {
		const seen: FakeRequest[] = [];
		scriptKnowledgeModel(seen);
		const reply = await chat('visitor-1', documents[1].text);
		expect(reply.text).toBe(`${documents[1].text} (source: ${documents[1].source})`);
		const earlier = seen[0].body.messages.map((m: { role: string; content: unknown }) => `${m.role}: ${String(m.content ?? '')}`);
		expect(earlier).toContain(`user: ${documents[0].text}`);
		expect(earlier).toContain(`assistant: ${documents[0].text} (source: ${documents[0].source})`);

		const otherVisitor: FakeRequest[] = [];
		scriptKnowledgeModel(otherVisitor);
		await chat('visitor-2', documents[2].text);
		expect(otherVisitor[0].body.messages.some((m: { content: unknown }) => String(m.content).includes(documents[0].text))).toBe(false);
	}, 120_000);

	it('answers 502 to ingestion, and the chat shows which credential to fix, when the model provider rejects the key', async () => {
		const credentialId = n8n.credentialIds['OpenAI-compatible account'];
		const good = { apiKey: OPENAI_KEY, baseUrl: openai.url, organization: '', extraHeaders: '{}' };
		await n8n.rest('PATCH', `/credentials/${credentialId}`, { name: 'OpenAI-compatible account', type: 'openAiCompatibleAgenticApi', data: { ...good, apiKey: 'sk-wrong' } });
		try {
			const stored = await n8n.webhook('POST', 'knowledge/ingest', { documents }, auth);
			expect(stored.status).toBe(502);
			expect(stored.body.error).toMatch(/^The documents could not be stored: .*(key|401|auth)/i);
			const before = (await n8n.executions(n8n.workflowIds[knowledge.name])).map((e) => Number(e.id));
			const reply = await chat('visitor-3', 'How long do refunds take?');
			expect(reply.text).toBe('');
			// n8n's chat shows an error chunk as "Error: <its content>".
			expect(reply.errors).toHaveLength(1);
			expect(reply.errors[0].content).toMatch(/API key .*"OpenAI-Compatible API" credential/);
			expect(JSON.stringify([stored.body, reply.chunks])).not.toContain('sk-wrong');
			const execution = await n8n.lastExecution(n8n.workflowIds[knowledge.name], { after: String(Math.max(0, ...before)) });
			expect(execution.status).toBe('error');
			expect(execution.data.resultData.lastNodeExecuted).toBe('Answer from Knowledge');
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
	const files = ['workflows', 'workflows/n8n1'].flatMap((dir) => readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.json')).map((f) => join(dir, f).replace(/^workflows\//, '')));

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

	it('the knowledge bot\'s queue-mode note names the Vector Memory backend and the Conversation Store options as the nodes offer them', () => {
		const note = String((knowledge.nodes.find((node) => node.name === 'Queue Mode')!.parameters as { content: string }).content);
		const pgvector = backendOptions.find((option) => option.value === 'pgvector')!;
		expect(note).toContain(`set *Backend* to **${pgvector.name}**`);
		const store = agentBrainProperties.find((p) => p.name === 'conversationStore')!;
		const postgres = store.options!.find((option) => 'value' in option && option.value === 'postgres')!;
		expect(note).toContain(`set *Conversation Store* to **${postgres.name}**`);
		expect(note).toContain(`\`${DEFAULT_CONVERSATION_TABLE}\``);
		for (const name of ['Store in Memory', 'Search Knowledge', 'Answer from Knowledge']) expect(note).toContain(`**${name}**`);
	});

	it('turns off the attribution n8n appends to Gmail and Slack messages', () => {
		const nodes = files.flatMap((file) => loadWorkflow(file).nodes);
		const gmail = nodes.filter((n) => /^n8n-nodes-base\.gmail(Tool|HitlTool)?$/.test(n.type));
		const slack = nodes.filter((n) => n.type === 'n8n-nodes-base.slack');
		// The research and digest workflows send through them: finding none means the checks below check nothing.
		expect({ gmail: gmail.length > 0, slack: slack.length > 0 }).toEqual({ gmail: true, slack: true });
		for (const node of gmail) expect((node.parameters as any).options.appendAttribution).toBe(false);
		for (const node of slack) expect((node.parameters as any).otherOptions.includeLinkToWorkflow).toBe(false);
	});
});
