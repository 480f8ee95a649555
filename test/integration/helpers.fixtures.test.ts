// Tests that need the shared fixtures: where they are missing a developer's run skips them saying what is missing,
// and a CI run fails naming the same files (run here in a Jest of their own, as `npm test` would).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireFixtures, runningInCi } from '../helpers/fixtures';

const REPO = resolve(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'fixtures-probe-'));
	mkdirSync(join(dir, 'fixtures', 'models'), { recursive: true });
	writeFileSync(join(dir, 'fixtures', 'models', 'present.onnx'), 'model');
	const helper = JSON.stringify(join(REPO, 'test', 'helpers', 'fixtures.ts'));
	const root = JSON.stringify(join(dir, 'fixtures'));
	writeFileSync(
		join(dir, 'probe.test.js'),
		`const { requireFixtures } = require(${helper});
		const missing = requireFixtures('the probe tests', ['models/present.onnx', 'plates/absent.jpg'], { root: ${root} });
		missing.describe('a suite needing fixtures', () => { it('runs', () => {}); });
		missing.it('a test needing fixtures', () => {});
		const present = requireFixtures('the other probe tests', ['models/present.onnx'], { root: ${root} });
		present.it('a test whose fixtures are there', () => {});`,
	);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the probe in its own Jest, with CI set or not; returns Jest's JSON report and what it printed. */
function runProbe(ci: string | undefined) {
	const config = {
		rootDir: dir,
		testEnvironment: 'node',
		testMatch: ['**/probe.test.js'],
		transform: { '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: join(REPO, 'tsconfig.test.json') }] },
	};
	const env = { ...process.env, CI: ci };
	if (ci === undefined) delete env.CI;
	const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--json', '--ci'], { cwd: dir, env, encoding: 'utf8' });
	const report = JSON.parse(run.stdout) as {
		numPassedTests: number;
		numPendingTests: number;
		numFailedTests: number;
		testResults: Array<{ assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
	};
	return { status: run.status, report, printed: run.stderr };
}

const expectedMessage = (ci: boolean) =>
	`the probe tests: the shared fixture plates/absent.jpg is not in ${join(dir, 'fixtures')}` +
	(ci ? ' (CI must have them: a skipped suite is not a passed one)' : ' (present in CI and on developer machines; a fresh clone has none)');

it('without CI, skips what needs a missing fixture, saying which file and where it was looked for, and runs the rest', () => {
	const { status, report, printed } = runProbe(undefined);
	expect(status).toBe(0);
	expect({ passed: report.numPassedTests, skipped: report.numPendingTests, failed: report.numFailedTests }).toEqual({ passed: 1, skipped: 2, failed: 0 });
	expect(printed).toContain(`Skipping ${expectedMessage(false)}`);
}, 60_000);

it('with CI=true, fails what needs a missing fixture, naming the file, so the run cannot pass by skipping', () => {
	const { status, report } = runProbe('true');
	expect(status).toBe(1);
	const results = report.testResults[0].assertionResults.map((r) => [r.fullName, r.status, r.failureMessages.join('\n').split('\n')[0]]);
	expect(results).toEqual([
		['a suite needing fixtures has the shared fixtures it needs', 'failed', `Error: ${expectedMessage(true)}`],
		['a test needing fixtures', 'failed', `Error: ${expectedMessage(true)}`],
		['a test whose fixtures are there', 'passed', ''],
	]);
}, 60_000);

it('reads CI as CI services set it', () => {
	expect(['true', 'TRUE', '1', 'yes', 'false', '0', '', undefined].map((CI) => runningInCi({ CI }))).toEqual([true, true, true, true, false, false, false, false]);
	const found = requireFixtures('the probe tests', ['models/present.onnx'], { root: join(dir, 'fixtures') });
	expect({ available: found.available, missing: found.missing, path: found.path('models/present.onnx') }).toEqual({
		available: true,
		missing: [],
		path: join(dir, 'fixtures', 'models', 'present.onnx'),
	});
});
