// A Question and Answer Chain on Vector Memory Store in the real n8n editor (Chromium): n8n draws every node of the chain
// known and without issues, our icon included, and the canvas is saved as the README's screenshot.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { DEFAULT_OWNER, startN8n, type N8nInstance, type WorkflowSpec } from './harness';

const REPO = resolve(__dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Skipping the Vector Memory editor check: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
const itWithBrowser = haveChromium ? it : it.skip;

const credentials = { openAiApi: { name: 'OpenAI' } };
const qaChain: WorkflowSpec = {
	name: 'Q&A on Vector Memory',
	active: false,
	nodes: [
		{ name: 'When chat message received', type: '@n8n/n8n-nodes-langchain.chatTrigger', typeVersion: 1.1, position: [0, 0], webhookId: 'qa-editor', parameters: { options: {} } },
		{ name: 'Question and Answer Chain', type: '@n8n/n8n-nodes-langchain.chainRetrievalQa', typeVersion: 1.6, position: [260, 0], parameters: { options: {} } },
		{ name: 'OpenAI Chat Model', type: '@n8n/n8n-nodes-langchain.lmChatOpenAi', typeVersion: 1.2, position: [160, 240], credentials, parameters: { model: { __rl: true, value: 'gpt-4o-mini', mode: 'list', cachedResultName: 'gpt-4o-mini' }, options: {} } },
		{ name: 'Vector Store Retriever', type: '@n8n/n8n-nodes-langchain.retrieverVectorStore', typeVersion: 1, position: [420, 240], parameters: { topK: 4 } },
		{ name: 'Vector Memory Store', type: 'n8n-nodes-agentic.vectorMemoryStore', typeVersion: 1, position: [420, 440], parameters: { mode: 'retrieve', backend: 'embedded', namespace: 'handbook', filter: '{}' } },
		{ name: 'Embeddings OpenAI', type: '@n8n/n8n-nodes-langchain.embeddingsOpenAi', typeVersion: 1.2, position: [420, 640], credentials, parameters: { model: 'text-embedding-3-small', options: {} } },
	],
	connections: {
		'When chat message received': { main: [[{ node: 'Question and Answer Chain', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'Question and Answer Chain', type: 'ai_languageModel', index: 0 }]] },
		'Vector Store Retriever': { ai_retriever: [[{ node: 'Question and Answer Chain', type: 'ai_retriever', index: 0 }]] },
		'Vector Memory Store': { ai_vectorStore: [[{ node: 'Vector Store Retriever', type: 'ai_vectorStore', index: 0 }]] },
		'Embeddings OpenAI': { ai_embedding: [[{ node: 'Vector Memory Store', type: 'ai_embedding', index: 0 }]] },
	},
};

let n8n: N8nInstance;
let browser: Browser;
let page: Page;

beforeAll(async () => {
	if (!haveChromium) return;
	[n8n, browser] = await Promise.all([
		startN8n({ credentials: [{ name: 'OpenAI', type: 'openAiApi', data: { apiKey: 'sk-editor', url: 'https://api.openai.com/v1', header: false } }], workflows: [qaChain] }),
		chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }),
	]);
	page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
	const login = await page.request.post(`${n8n.url}/rest/login`, { data: { emailOrLdapLoginId: DEFAULT_OWNER.email, password: DEFAULT_OWNER.password } });
	expect(login.ok()).toBe(true);
}, 15 * 60_000);
afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
}, 60_000);

itWithBrowser('draws the chain with Vector Memory Store on its retriever, no node marked, and saves the screenshot', async () => {
	await page.goto(`${n8n.url}/workflow/${n8n.workflowIds[qaChain.name]}`, { waitUntil: 'domcontentloaded' });
	for (const node of qaChain.nodes) await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`).waitFor({ state: 'visible', timeout: 60_000 });
	await page.waitForLoadState('networkidle').catch(() => undefined);
	const icon = page.locator('[data-test-id="canvas-node"][data-node-name="Vector Memory Store"] img').first();
	await icon.waitFor({ state: 'visible', timeout: 30_000 });
	expect(await icon.getAttribute('src')).toMatch(/n8n-nodes-agentic.*vectorMemory.*\.svg/);
	// Every connection was accepted: the editor draws one edge per connection in the workflow.
	expect(await page.locator('[data-test-id="edge"]').count()).toBe(5);
	for (const selector of ['node-not-installed', 'node-issues']) {
		expect(await page.locator(`[data-test-id="canvas-node"]:has([data-test-id="${selector}"])`).count()).toBe(0);
	}
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(400);
	const shot = await page.locator('[data-test-id="canvas"], #canvas, .vue-flow').first().screenshot();
	const { width = 0, height = 0 } = await sharp(shot).metadata();
	const png = await sharp(shot).extract({ left: 0, top: 24, width, height: height - 24 }).png({ palette: true, quality: 80, compressionLevel: 9 }).toBuffer();
	const dir = join(REPO, 'workflows', 'screenshots');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'vector-memory-qa-chain.png'), png);
}, 180_000);
