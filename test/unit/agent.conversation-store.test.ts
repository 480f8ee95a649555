// The file conversation store's own guarantees (the shared ones are in test/integration/agent.conversation-conformance.test.ts):
// kept across restarts under safe file names, safe with separate writer processes, and where it lives.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileConversationStore, defaultSessionsDir } from '../../nodes/AgentBrain/engine/memory';
import type { ChatMessage } from '../../nodes/AgentBrain/engine/types';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'agent-sessions-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function turnWithTool(n: number): ChatMessage[] {
	return [
		{ role: 'user', content: `question ${n}` },
		{ role: 'assistant', content: null, tool_calls: [{ id: `c${n}`, type: 'function', function: { name: 'lookup', arguments: `{"n":${n}}` } }] },
		{ role: 'tool', tool_call_id: `c${n}`, content: `result ${n}` },
		{ role: 'assistant', content: `answer ${n}` },
	];
}

describe('file conversation memory', () => {
	it('keeps turns across a restart (a new store on the same folder)', async () => {
		await new FileConversationStore(dir).append('user-42 / שלום', turnWithTool(1));
		const reopened = new FileConversationStore(dir);
		expect(await reopened.load('user-42 / שלום', 10)).toEqual(turnWithTool(1));
		// Any session id is a safe file name; no temp or lock file is left behind.
		expect(readdirSync(dir)).toEqual([expect.stringMatching(/^[0-9a-f]{40}\.json$/)]);
	});

	it('loses no turn when separate processes (n8n workers) write the same session at once', async () => {
		const script = join(dir, 'writer.ts');
		const storePath = join(__dirname, '../../nodes/AgentBrain/engine/memory');
		writeFileSync(
			script,
			`import { FileConversationStore } from ${JSON.stringify(storePath)};
			const [dir, tag] = process.argv.slice(2);
			(async () => { for (let n = 0; n < 15; n++) await new FileConversationStore(dir).append('shared', [{ role: 'user', content: tag + n }]); })();`,
		);
		const sessions = join(dir, 'sessions');
		const runWriter = (tag: string) =>
			new Promise<void>((resolve, reject) =>
				execFile(process.execPath, ['--import', 'tsx', script, sessions, tag], { cwd: join(__dirname, '../..') }, (error) => (error ? reject(error) : resolve())),
			);
		await Promise.all([runWriter('a'), runWriter('b'), runWriter('c')]);
		const turns = await new FileConversationStore(sessions).turns('shared');
		expect(turns).toHaveLength(45);
		expect(new Set(turns.map((t) => t[0].content)).size).toBe(45);
	}, 30_000);

	it('lives under the n8n user folder', () => {
		expect(defaultSessionsDir({ N8N_USER_FOLDER: '/data/n8n' })).toBe('/data/n8n/.n8n/agentic/sessions');
	});
});
