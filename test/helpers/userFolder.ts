// A throwaway n8n user folder for each test (N8N_USER_FOLDER: where Agent Brain's sessions and the embedded memory live), the caller's setting put back after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Call at the top of a test file; returns the current test's folder. */
export function useTemporaryUserFolder(): () => string {
	const saved = process.env.N8N_USER_FOLDER;
	let folder = '';
	beforeEach(() => {
		folder = mkdtempSync(join(tmpdir(), 'n8n-user-'));
		process.env.N8N_USER_FOLDER = folder;
	});
	afterEach(() => {
		rmSync(folder, { recursive: true, force: true });
		if (saved === undefined) delete process.env.N8N_USER_FOLDER;
		else process.env.N8N_USER_FOLDER = saved;
	});
	return () => folder;
}
