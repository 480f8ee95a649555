// The runtime installer's safeguards: one installer at a time (a dead holder's lock is taken over) and one-line npm errors.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { npmErrorLine, withLock } from './runtime';

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('two installers never run at once: the second waits for the first to finish', async () => {
	const lock = path.join(dir, 'install.lock');
	const events: string[] = [];
	const job = (name: string, ms: number) => async () => {
		events.push(`${name} start`);
		await new Promise((r) => setTimeout(r, ms));
		events.push(`${name} end`);
	};
	// The same process holds it under another pid, as a second process would see it.
	fs.mkdirSync(lock);
	const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)']);
	fs.writeFileSync(path.join(lock, 'pid'), String(holder.pid));
	let waited = false;
	const second = withLock(lock, job('second', 10), () => (waited = true));
	setTimeout(() => {
		events.push('first end');
		fs.rmSync(lock, { recursive: true, force: true });
	}, 400);
	await second;
	holder.kill();
	expect(waited).toBe(true);
	expect(events).toEqual(['first end', 'second start', 'second end']);
	expect(fs.existsSync(lock)).toBe(false);
});

test('a lock left by an installer that died is taken over', async () => {
	const lock = path.join(dir, 'install.lock');
	const dead = spawn(process.execPath, ['-e', '']);
	await new Promise((r) => dead.on('exit', r));
	fs.mkdirSync(lock);
	fs.writeFileSync(path.join(lock, 'pid'), String(dead.pid));
	const started = Date.now();
	await expect(withLock(lock, async () => 'installed')).resolves.toBe('installed');
	expect(Date.now() - started).toBeLessThan(1000);
});

test("npm's failure is reduced to the line that says what went wrong", () => {
	const output = [
		'npm warn EBADENGINE Unsupported engine {',
		'npm error code ETARGET',
		'npm error notarget No matching version found for @n8n/agents@0.26.2.',
		'npm error notarget In most cases you or one of your dependencies are requesting',
		'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
	].join('\n');
	expect(npmErrorLine(output)).toBe('npm error notarget No matching version found for @n8n/agents@0.26.2.');
	expect(npmErrorLine('gyp ERR! stack Error: not found: make\n')).toBe('gyp ERR! stack Error: not found: make');
});
