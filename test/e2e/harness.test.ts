// The harness itself: n8n loads this package as a community package (n8n-nodes-agentic.* types, tool variants included),
// and stopping n8n leaves none of its processes behind.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { startN8n, type N8nInstance } from './harness';

let n8n: N8nInstance;

beforeAll(async () => {
	n8n = await startN8n();
}, 15 * 60_000);

afterAll(async () => {
	await n8n?.stop();
}, 60_000);

function groupMembers(pgid: number): number[] {
	const out = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' });
	return out
		.split('\n')
		.map((line) => line.trim().split(/\s+/).map(Number))
		.filter(([pid, group]) => pid && group === pgid)
		.map(([pid]) => pid);
}

test('n8n lists our nodes and credentials under the package prefix, with a tool variant for nodes usable as tools', async () => {
	const nodeTypes = (await (await n8n.request('GET', '/types/nodes.json')).json()) as Array<{ name: string }>;
	const names = nodeTypes.map((t) => t.name);
	const ours = names.filter((name) => name.startsWith('n8n-nodes-agentic.'));
	expect(ours).toEqual(expect.arrayContaining(['n8n-nodes-agentic.tavily', 'n8n-nodes-agentic.tavilyTool']));
	expect(names.filter((name) => name.startsWith('CUSTOM.'))).toEqual([]);

	const credentialTypes = (await (await n8n.request('GET', '/types/credentials.json')).json()) as Array<{ name: string }>;
	expect(credentialTypes.map((t) => t.name)).toContain('tavilyAgenticApi');
}, 30_000);

test("stop() ends n8n and its task runner, and removes the instance's folder", async () => {
	const members = groupMembers(n8n.pid);
	// n8n itself and the JavaScript task runner it launches.
	expect(members.length).toBeGreaterThanOrEqual(2);
	const folder = n8n.userFolder;

	await n8n.stop();

	expect(groupMembers(n8n.pid)).toEqual([]);
	expect(fs.existsSync(folder)).toBe(false);
}, 60_000);
