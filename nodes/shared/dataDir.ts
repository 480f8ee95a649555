// The one place the package keeps its files: beside n8n's own data, so models, sessions and memory outlive a restart.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** What lives under `<N8N_USER_FOLDER or home>/.n8n/agentic/`. */
export type AgenticDataKind = 'models' | 'sessions' | 'memory';

/**
 * `<N8N_USER_FOLDER or home>/.n8n/agentic/<kind>`, always absolute. An empty or blank N8N_USER_FOLDER means "not set"
 * (as n8n itself reads it), and a relative one is taken from the working directory once, here, instead of each caller
 * building a path relative to wherever it runs.
 */
export function agenticDataDir(kind: AgenticDataKind, env: NodeJS.ProcessEnv = process.env): string {
	const configured = env.N8N_USER_FOLDER?.trim();
	const userFolder = configured ? (isAbsolute(configured) ? configured : resolve(configured)) : homedir();
	return join(userFolder, '.n8n', 'agentic', kind);
}
