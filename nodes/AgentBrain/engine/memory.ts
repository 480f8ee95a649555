// Conversation memory: earlier turns of a session (tool calls and their results included), kept as files that survive restarts.
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { agenticDataDir } from '../../shared/dataDir';
import { AgenticError } from '../../shared/errors';
import type { ChatMessage } from './types';

/** Where a session's turns live. A turn starts with the user's task and holds every message up to the answer. */
export interface ConversationStore {
	/** The last `lastTurns` turns, oldest first, flattened into messages. */
	load(sessionId: string, lastTurns: number): Promise<ChatMessage[]>;
	/** Adds a turn; only the last `keepTurns` turns stay stored (default the store's own limit). */
	append(sessionId: string, turn: ChatMessage[], keepTurns?: number): Promise<void>;
}

/** Turns a session file keeps by default: older ones are never loaded, and the whole file is read on every run. */
export const DEFAULT_KEEP_TURNS = 100;

/** `<N8N_USER_FOLDER or home>/.n8n/agentic/sessions`: beside n8n's data, so sessions outlive a restart. */
export function defaultSessionsDir(env: NodeJS.ProcessEnv = process.env): string {
	return agenticDataDir('sessions', env);
}

interface SessionFile {
	version: 1;
	sessionId: string;
	turns: Array<{ at: string; messages: ChatMessage[] }>;
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 20_000;

/**
 * One JSON file per session (named by a hash of the id, so any id is a safe file name). Writers take a lock file
 * (created exclusively) for the read-append-write, and replace the file by rename, so a crash never leaves half a
 * file and two executions on one session at once both keep their turns.
 */
export class FileConversationStore implements ConversationStore {
	constructor(readonly dir: string = defaultSessionsDir()) {}

	private fileOf(sessionId: string): string {
		return join(this.dir, `${createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 40)}.json`);
	}

	async load(sessionId: string, lastTurns: number): Promise<ChatMessage[]> {
		const file = await this.read(sessionId);
		const turns = lastTurns > 0 ? file.turns.slice(-lastTurns) : [];
		return turns.flatMap((turn) => turn.messages);
	}

	/** Every turn stored for the session (for inspection and tests). */
	async turns(sessionId: string): Promise<ChatMessage[][]> {
		return (await this.read(sessionId)).turns.map((turn) => turn.messages);
	}

	async append(sessionId: string, turn: ChatMessage[], keepTurns = DEFAULT_KEEP_TURNS): Promise<void> {
		if (turn.length === 0) return;
		const keep = Math.max(1, Math.floor(keepTurns) || DEFAULT_KEEP_TURNS);
		await fs.mkdir(this.dir, { recursive: true });
		const path = this.fileOf(sessionId);
		await this.withLock(`${path}.lock`, async () => {
			const file = await this.read(sessionId);
			file.turns.push({ at: new Date().toISOString(), messages: turn });
			if (file.turns.length > keep) file.turns.splice(0, file.turns.length - keep);
			const temp = `${path}.${randomUUID()}.tmp`;
			await fs.writeFile(temp, JSON.stringify(file), 'utf8');
			await fs.rename(temp, path);
		});
	}

	private async read(sessionId: string): Promise<SessionFile> {
		const text = await fs.readFile(this.fileOf(sessionId), 'utf8').catch((error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') return undefined;
			return Promise.reject(error);
		});
		// Files are replaced by rename, so a file is either whole or absent.
		const parsed = text === undefined ? undefined : (JSON.parse(text) as SessionFile);
		return parsed && Array.isArray(parsed.turns) ? parsed : { version: 1, sessionId, turns: [] };
	}

	private async withLock(lock: string, work: () => Promise<void>): Promise<void> {
		const started = Date.now();
		for (let attempt = 0; ; attempt++) {
			const taken = await fs.open(lock, 'wx').then(
				async (handle) => {
					await handle.close();
					return true;
				},
				(error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? false : Promise.reject(error)),
			);
			if (taken) break;
			// A writer that died while holding the lock leaves it behind; after a while it no longer counts.
			const stat = await fs.stat(lock).catch(() => undefined);
			if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) {
				await fs.rm(lock, { force: true });
				continue;
			}
			if (Date.now() - started > LOCK_WAIT_MS) {
				throw new AgenticError('internal', 'Conversation memory is locked by another execution', {
					description: `If no other execution is using this session, delete the lock file ${lock}.`,
				});
			}
			await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt * 2)));
		}
		try {
			await work();
		} finally {
			await fs.rm(lock, { force: true });
		}
	}
}

/** Keeps turns in this process only: for tests, benchmarks and programmatic use without a disk. */
export class InMemoryConversationStore implements ConversationStore {
	private readonly sessions = new Map<string, ChatMessage[][]>();

	async load(sessionId: string, lastTurns: number): Promise<ChatMessage[]> {
		const turns = this.sessions.get(sessionId) ?? [];
		return (lastTurns > 0 ? turns.slice(-lastTurns) : []).flat();
	}

	async append(sessionId: string, turn: ChatMessage[], keepTurns = DEFAULT_KEEP_TURNS): Promise<void> {
		if (turn.length === 0) return;
		const turns = this.sessions.get(sessionId) ?? [];
		turns.push(turn);
		const keep = Math.max(1, Math.floor(keepTurns) || DEFAULT_KEEP_TURNS);
		if (turns.length > keep) turns.splice(0, turns.length - keep);
		this.sessions.set(sessionId, turns);
	}
}
