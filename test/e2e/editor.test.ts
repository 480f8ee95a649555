// Opens every shipped workflow in the real n8n editor in Chromium: no node is marked unknown or not installed, our icons
// render, and a screenshot of each canvas is saved to workflows/screenshots/ for the README.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { DEFAULT_OWNER, N8nClient, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const REPO = resolve(__dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Skipping the editor check: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
const describeWithBrowser = haveChromium ? describe : describe.skip;

const files = readdirSync(join(REPO, 'workflows')).filter((f) => f.endsWith('.json')).sort();
const workflows = files.map((file) => ({ file, spec: JSON.parse(readFileSync(join(REPO, 'workflows', file), 'utf8')) as WorkflowSpec }));

/** A workflow whose node type no package provides: the editor must mark it, or the checks below prove nothing. */
const unknownNodeWorkflow: WorkflowSpec = {
	name: 'Editor check: unknown node',
	active: false,
	nodes: [{ name: 'Not A Node', type: 'n8n-nodes-agentic.noSuchNode', typeVersion: 1, position: [0, 0], parameters: {} }],
	connections: {},
};

/** For the README's Agent Brain section: a chat model sub-node, and a tool that runs only once a person approves it. */
const agentBrainApproval: WorkflowSpec = {
	name: 'Agent Brain: chat model and an approval-gated tool',
	active: false,
	nodes: [
		{ name: 'When Chat Message Received', type: '@n8n/n8n-nodes-langchain.chatTrigger', typeVersion: 1.1, position: [0, 0], webhookId: 'e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f', parameters: { options: {} } },
		{
			name: 'Agent Brain',
			type: 'n8n-nodes-agentic.agentBrain',
			typeVersion: 1,
			position: [280, 0],
			parameters: { task: '={{ $json.chatInput }}', builtInTools: ['currentDateTime'], options: {} },
		},
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: 1.2,
			position: [180, 240],
			parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} },
			credentials: { openAiApi: { name: 'OpenAI account' } },
		},
		{
			name: 'Ask for Approval',
			type: 'n8n-nodes-base.gmailHitlTool',
			typeVersion: 2.1,
			position: [420, 240],
			webhookId: 'f2e3d4c5-b6a7-4f8e-9d0c-1b2c3d4e5f6a',
			parameters: {
				sendTo: 'approver@example.com',
				subject: 'The agent wants to send an email',
				message: '=The agent wants to run {{ $tool.name }} with {{ JSON.stringify($tool.parameters) }}',
				approvalOptions: { values: { approvalType: 'double' } },
				options: { appendAttribution: false },
			},
			credentials: { gmailOAuth2: { name: 'Gmail account' } },
		},
		{
			name: 'Send Email',
			type: 'n8n-nodes-base.gmailTool',
			typeVersion: 2.1,
			position: [420, 460],
			webhookId: 'a3f4e5d6-c7b8-4a9f-8e1d-2c3d4e5f6a7b',
			parameters: {
				descriptionType: 'manual',
				toolDescription: 'Sends an email',
				resource: 'message',
				operation: 'send',
				sendTo: "={{ $fromAI('to', 'Recipient address', 'string') }}",
				subject: "={{ $fromAI('subject', 'Subject line', 'string') }}",
				emailType: 'text',
				message: "={{ $fromAI('message', 'The email text', 'string') }}",
				options: { appendAttribution: false },
			},
			credentials: { gmailOAuth2: { name: 'Gmail account' } },
		},
	],
	connections: {
		'When Chat Message Received': { main: [[{ node: 'Agent Brain', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'Agent Brain', type: 'ai_languageModel', index: 0 }]] },
		'Ask for Approval': { ai_tool: [[{ node: 'Agent Brain', type: 'ai_tool', index: 0 }]] },
		'Send Email': { ai_tool: [[{ node: 'Ask for Approval', type: 'ai_tool', index: 0 }]] },
	},
};

/** Every credential the shipped workflows name, so the editor shows no credential issues. */
function credentialsFor(specs: WorkflowSpec[]) {
	const data: Record<string, Record<string, unknown>> = {
		openAiCompatibleAgenticApi: { apiKey: 'sk-editor', baseUrl: 'https://api.openai.com/v1', organization: '', extraHeaders: '{}' },
		tavilyAgenticApi: { apiKey: 'tvly-editor', baseUrl: 'https://api.tavily.com' },
		gmailOAuth2: { clientId: 'editor.apps.googleusercontent.com', clientSecret: 'editor-secret' },
		openAiApi: { apiKey: 'sk-editor', url: 'https://api.openai.com/v1', header: false },
		slackApi: { accessToken: 'xoxb-editor' },
		whatsAppApi: { accessToken: 'EAAG-editor', businessAccountId: '1' },
		httpHeaderAuth: { name: 'X-Api-Key', value: 'editor' },
	};
	const byName = new Map<string, { name: string; type: string; data: Record<string, unknown> }>();
	for (const spec of specs) {
		for (const node of spec.nodes) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				if (!data[type]) throw new Error(`no editor test data for credential type ${type}`);
				byName.set(ref.name, { name: ref.name, type, data: data[type] });
			}
		}
	}
	return [...byName.values()];
}

async function openWorkflow(page: Page, n8n: N8nInstance, spec: WorkflowSpec): Promise<void> {
	await page.goto(`${n8n.url}/workflow/${n8n.workflowIds[spec.name]}`, { waitUntil: 'domcontentloaded' });
	for (const node of spec.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote')) {
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`).waitFor({ state: 'visible', timeout: 60_000 });
	}
}

/** The node's warning marks, with their tooltip text (unknown type, not installed, parameter or credential issues). */
async function marksOf(page: Page): Promise<string[]> {
	const marks: string[] = [];
	for (const selector of ['node-not-installed', 'node-issues']) {
		const found = page.locator(`[data-test-id="canvas-node"]:has([data-test-id="${selector}"])`);
		for (let i = 0; i < (await found.count()); i++) marks.push(`${await found.nth(i).getAttribute('data-node-name')}: ${selector}`);
	}
	return marks;
}

/** Saves the canvas, fitted to the window, as workflows/screenshots/<name>.png for the README. */
async function saveCanvas(page: Page, name: string): Promise<void> {
	const dir = join(REPO, 'workflows', 'screenshots');
	mkdirSync(dir, { recursive: true });
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(400);
	// One step back from "fit" when the canvas buttons would cover the lowest node's name.
	const boxes = await page.locator('[data-test-id="canvas-node"]').evaluateAll((nodes) => nodes.map((node) => node.getBoundingClientRect().bottom));
	if (Math.max(...boxes) > 900 - 120) {
		await page.locator('[data-test-id="zoom-out-button"]').click();
		await page.waitForTimeout(400);
	}
	const shot = await page.locator('[data-test-id="canvas"], #canvas, .vue-flow').first().screenshot();
	const { width = 0, height = 0 } = await sharp(shot).metadata();
	// Without the editor's tab strip at the top; a palette PNG keeps the committed screenshots small.
	const png = await sharp(shot).extract({ left: 0, top: 24, width, height: height - 24 }).png({ palette: true, quality: 80, compressionLevel: 9 }).toBuffer();
	writeFileSync(join(dir, `${name}.png`), png);
}

describeWithBrowser('Shipped workflows in the n8n editor', () => {
	let n8n: N8nInstance;
	let browser: Browser;
	let page: Page;

	beforeAll(async () => {
		const specs = workflows.map((w) => w.spec);
		[n8n, browser] = await Promise.all([
			startN8n({ credentials: credentialsFor([...specs, agentBrainApproval]), workflows: [...specs.map((spec) => ({ ...spec, active: false })), agentBrainApproval, unknownNodeWorkflow] }),
			chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }),
		]);
		const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
		page = await context.newPage();
		const login = await page.request.post(`${n8n.url}/rest/login`, { data: { emailOrLdapLoginId: DEFAULT_OWNER.email, password: DEFAULT_OWNER.password } });
		expect(login.ok()).toBe(true);
	}, 15 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
	}, 60_000);

	it('imports every workflow file as `npm start` does, placeholder credentials and all', async () => {
		const client = new N8nClient(n8n.url);
		await client.signIn(DEFAULT_OWNER);
		for (const { file, spec } of workflows) {
			const imported = await client.createWorkflow({ ...spec, name: `${spec.name} (imported)` }, {}, { keepUnknownCredentials: true });
			const stored = await n8n.rest('GET', `/workflows/${imported.id}`);
			expect({ file, nodes: stored.nodes.length }).toEqual({ file, nodes: spec.nodes.length });
		}
	}, 60_000);

	it('marks a node whose type is unknown (so a clean canvas below means something)', async () => {
		await openWorkflow(page, n8n, unknownNodeWorkflow);
		await page.locator('[data-test-id="canvas-node"][data-node-name="Not A Node"] [data-test-id="node-not-installed"], [data-test-id="canvas-node"][data-node-name="Not A Node"] [data-test-id="node-issues"]').first().waitFor({ timeout: 30_000 });
		expect(await marksOf(page)).not.toEqual([]);
	}, 120_000);

	it.each(workflows.map((w) => [w.file, w.spec] as const))('%s opens with every node known, our icons drawn, and a screenshot saved', async (file, spec) => {
		await openWorkflow(page, n8n, spec);
		// Marks appear once node types and credentials are loaded; give the canvas a moment to settle.
		await page.waitForLoadState('networkidle').catch(() => undefined);

		for (const node of spec.nodes.filter((n) => n.type.startsWith('n8n-nodes-agentic.'))) {
			const icon = page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"] img`).first();
			await icon.waitFor({ state: 'visible', timeout: 30_000 });
			expect(await icon.getAttribute('src')).toMatch(/n8n-nodes-agentic.*\.svg/);
			const drawn = await page.waitForFunction((img) => { const el = img as unknown as { complete: boolean; naturalWidth: number }; return el.complete && el.naturalWidth > 0; }, await icon.elementHandle(), { timeout: 10_000 }).then(() => true, () => false);
			expect({ node: node.name, drawn }).toEqual({ node: node.name, drawn: true });
		}

		// Checked once the icons are drawn, so node types and credentials have loaded and every mark would be there.
		expect(await marksOf(page)).toEqual([]);

		await saveCanvas(page, basename(file, '.json'));
	}, 120_000);

	it('Agent Brain with a chat model and an approval-gated tool opens with every node known and connected, and its screenshot is saved', async () => {
		await openWorkflow(page, n8n, agentBrainApproval);
		await page.waitForLoadState('networkidle').catch(() => undefined);
		const icon = page.locator('[data-test-id="canvas-node"][data-node-name="Agent Brain"] img').first();
		await icon.waitFor({ state: 'visible', timeout: 30_000 });
		expect(await marksOf(page)).toEqual([]);
		// The three sub-node connections are drawn: model and approval node into Agent Brain, the tool into the approval node.
		expect(await page.locator('[data-test-id="edge"]').count()).toBe(4);
		await saveCanvas(page, 'agent-brain-approval');
	}, 120_000);
});
