// The harness itself: n8n loads this package as a community package (every node and credential package.json declares,
// n8n-nodes-agentic.* types, tool variants included), from outside the checkout, and stopping n8n leaves none of its processes behind.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ICredentialType, INodeTypeDescription } from 'n8n-workflow';
import { PACKAGE_NAME } from './communityPackage';
import { startN8n, type N8nInstance } from './harness';
import { REPO_ROOT } from './runtime';

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

/** What package.json's "n8n" field promises, read from the built files n8n loads: each node's and credential's type name. */
function declaredTypes(): { nodes: Array<{ name: string; usableAsTool: boolean }>; credentials: string[] } {
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	const load = (file: string) => {
		const exported = Object.values(require(path.join(REPO_ROOT, file)) as Record<string, unknown>).find((value) => typeof value === 'function');
		if (!exported) throw new Error(`${file} (listed in package.json) exports no class`);
		return new (exported as new () => Record<string, any>)();
	};
	return {
		nodes: manifest.n8n.nodes.map((file) => {
			const { description } = load(file) as { description: INodeTypeDescription };
			return { name: description.name, usableAsTool: description.usableAsTool === true };
		}),
		credentials: manifest.n8n.credentials.map((file) => (load(file) as ICredentialType).name),
	};
}

test('n8n lists every node and credential package.json declares under the package prefix, with a tool variant for nodes usable as tools', async () => {
	const declared = declaredTypes();
	// The package ships five nodes and six credentials: a list that shrank would make this test check less.
	expect([declared.nodes.length, declared.credentials.length]).toEqual([5, 6]);
	const expectedNodes = declared.nodes.flatMap(({ name, usableAsTool }) => [`${PACKAGE_NAME}.${name}`, ...(usableAsTool ? [`${PACKAGE_NAME}.${name}Tool`] : [])]);

	const nodeTypes = (await (await n8n.request('GET', '/types/nodes.json')).json()) as Array<{ name: string }>;
	const names = nodeTypes.map((t) => t.name);
	expect([...new Set(names.filter((name) => name.startsWith(`${PACKAGE_NAME}.`)))].sort()).toEqual(expectedNodes.sort());
	expect(names.filter((name) => name.startsWith('CUSTOM.'))).toEqual([]);

	const credentialTypes = (await (await n8n.request('GET', '/types/credentials.json')).json()) as Array<{ name: string }>;
	const credentialNames = new Set(credentialTypes.map((t) => t.name));
	expect(declared.credentials.filter((name) => !credentialNames.has(name))).toEqual([]);
}, 30_000);

test('the runtime, the installed package and the user folder all live outside the checkout', () => {
	const outside = (dir: string) => path.relative(REPO_ROOT, fs.realpathSync(dir)).startsWith('..');
	const nodesDir = fs.realpathSync(path.join(n8n.userFolder, '.n8n', 'nodes'));
	expect({ runtime: outside(n8n.runtime.dir), nodes: outside(nodesDir), userFolder: outside(n8n.userFolder) }).toEqual({ runtime: true, nodes: true, userFolder: true });
});

test("stop() ends n8n and its task runner, and removes the instance's folder", async () => {
	const members = groupMembers(n8n.pid);
	// n8n itself and the JavaScript task runner it launches.
	expect(members.length).toBeGreaterThanOrEqual(2);
	const folder = n8n.userFolder;

	await n8n.stop();

	expect(groupMembers(n8n.pid)).toEqual([]);
	expect(fs.existsSync(folder)).toBe(false);
}, 60_000);
