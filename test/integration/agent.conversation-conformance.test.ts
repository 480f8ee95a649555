// One conformance suite for every conversation store (files, in-process, real Postgres): the same semantics on each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_KEEP_TURNS, FileConversationStore, InMemoryConversationStore, type ConversationStore } from '../../nodes/AgentBrain/engine/memory';
import { PostgresConversationStore } from '../../nodes/AgentBrain/engine/postgresConversationStore';
import type { ChatMessage } from '../../nodes/AgentBrain/engine/types';
import { postgresMissing, query, startPostgres, type PostgresServer } from '../helpers/postgres';

interface StoreUnderTest {
	/** A fresh store on a fresh place; `shared` opens another store on the same place (another worker). */
	open(): { store: ConversationStore; another(): ConversationStore };
	/** Turns the place holds for a session, read without the store. */
	turns(store: ConversationStore, sessionId: string): Promise<ChatMessage[][]>;
	close(store: ConversationStore): Promise<void>;
}

function turnWithTool(n: number): ChatMessage[] {
	return [
		{ role: 'user', content: `question ${n}` },
		{ role: 'assistant', content: null, tool_calls: [{ id: `c${n}`, type: 'function', function: { name: 'lookup', arguments: `{"n":${n}}` } }] },
		{ role: 'tool', tool_call_id: `c${n}`, content: `result ${n}` },
		{ role: 'assistant', content: `answer ${n}` },
	];
}

const closeIfPossible = async (store: ConversationStore) => (store as { close?: () => Promise<void> }).close?.();
const turnsOf = (store: ConversationStore, sessionId: string) => (store as unknown as { turns(id: string): Promise<ChatMessage[][]> }).turns(sessionId);

let dirs: string[] = [];
let pg: PostgresServer | undefined;
let tableNo = 0;
const pgMissing = postgresMissing();

const stores: Record<string, StoreUnderTest> = {
	files: {
		open() {
			const dir = mkdtempSync(join(tmpdir(), 'agent-conv-'));
			dirs.push(dir);
			return { store: new FileConversationStore(dir), another: () => new FileConversationStore(dir) };
		},
		turns: turnsOf,
		close: closeIfPossible,
	},
	'in-process': {
		open() {
			const store = new InMemoryConversationStore();
			return { store, another: () => store };
		},
		turns: async (store, id) => {
			const flat = await store.load(id, Number.MAX_SAFE_INTEGER);
			const turns: ChatMessage[][] = [];
			for (const m of flat) (m.role === 'user' ? turns.push([m]) : turns.at(-1)?.push(m));
			return turns;
		},
		close: closeIfPossible,
	},
	postgres: {
		open() {
			const tableName = `conv_${++tableNo}`;
			const connection = { host: pg!.host, port: pg!.port, user: pg!.user, database: pg!.database };
			const another = () => new PostgresConversationStore({ connection, tableName });
			return { store: another(), another };
		},
		turns: turnsOf,
		close: closeIfPossible,
	},
};

beforeAll(async () => {
	if (process.env.CI === 'true' && pgMissing) throw new Error(`real Postgres is required under CI: ${pgMissing}`);
	if (pgMissing) console.warn(`Skipping the Postgres conversation store tests: ${pgMissing}`);
	else pg = await startPostgres();
}, 60_000);
afterAll(async () => {
	await pg?.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	dirs = [];
});

describe.each(Object.keys(stores))('conversation store: %s', (name) => {
	const backend = stores[name];
	const skip = name === 'postgres' && pgMissing !== undefined;
	const test = skip ? it.skip : it;
	const opened: ConversationStore[] = [];
	const open = () => {
		const o = backend.open();
		opened.push(o.store);
		return o;
	};
	afterEach(async () => {
		for (const store of opened.splice(0)) await backend.close(store);
	});

	test('loads the last N whole turns, tool calls with their results, oldest first', async () => {
		const { store } = open();
		for (let n = 1; n <= 4; n++) await store.append('s1', turnWithTool(n));
		expect(await store.load('s1', 2)).toEqual([...turnWithTool(3), ...turnWithTool(4)]);
		expect(await store.load('s1', 0)).toEqual([]);
		expect(await store.load('nobody', 5)).toEqual([]);
	});

	test('keeps only the last keepTurns turns (default 100)', async () => {
		const { store } = open();
		for (let n = 1; n <= 8; n++) await store.append('long', turnWithTool(n), 3);
		expect(await backend.turns(store, 'long')).toEqual([turnWithTool(6), turnWithTool(7), turnWithTool(8)]);
		for (let n = 9; n <= DEFAULT_KEEP_TURNS + 12; n++) await store.append('long', [{ role: 'user', content: `q${n}` }]);
		const turns = await backend.turns(store, 'long');
		expect(turns).toHaveLength(DEFAULT_KEEP_TURNS);
		expect(turns.at(-1)).toEqual([{ role: 'user', content: `q${DEFAULT_KEEP_TURNS + 12}` }]);
	});

	test('an empty turn stores nothing; sessions do not see each other', async () => {
		const { store } = open();
		await store.append('a', []);
		await store.append('b', turnWithTool(1));
		expect(await store.load('a', 10)).toEqual([]);
		expect(await store.load('b', 10)).toEqual(turnWithTool(1));
	});

	test('another worker on the same place sees the turn, and concurrent writers on one session lose no turn', async () => {
		const { store, another } = open();
		await store.append('shared', turnWithTool(0));
		const second = another();
		opened.push(second);
		expect(await second.load('shared', 10)).toEqual(turnWithTool(0));
		const writers = Array.from({ length: 20 }, (_, n) => {
			const writer = n % 2 ? store : second;
			return writer.append('shared', turnWithTool(n + 1));
		});
		await Promise.all(writers);
		const turns = await backend.turns(store, 'shared');
		expect(turns).toHaveLength(21);
		expect(turns.map((t) => t[0].content).sort()).toEqual(Array.from({ length: 21 }, (_, n) => `question ${n}`).sort());
	});
});

(pgMissing ? describe.skip : describe)('Postgres conversation store, faults and bad input', () => {
	const connection = () => ({ host: pg!.host, port: pg!.port, user: pg!.user, database: pg!.database });

	it('two first writers on a new table both succeed (the table is created once, under an advisory lock)', async () => {
		const a = new PostgresConversationStore({ connection: connection(), tableName: 'conv_race' });
		const b = new PostgresConversationStore({ connection: connection(), tableName: 'conv_race' });
		await Promise.all([a.append('s', turnWithTool(1)), b.append('s', turnWithTool(2))]);
		expect((await a.turns('s')).length).toBe(2);
		await Promise.all([a.close(), b.close()]);
	});

	it('a table dropped between runs is created again', async () => {
		const store = new PostgresConversationStore({ connection: connection(), tableName: 'conv_dropped' });
		await store.append('s', turnWithTool(1));
		await query(pg!, 'DROP TABLE conv_dropped');
		await store.append('s', turnWithTool(2));
		expect(await store.load('s', 10)).toEqual(turnWithTool(2));
		await store.close();
	});

	it('a turn too large for the store is refused naming the size, and the earlier turns are untouched', async () => {
		const store = new PostgresConversationStore({ connection: connection(), tableName: 'conv_large', maxTurnBytes: 10_000 });
		await store.append('s', turnWithTool(1));
		const big: ChatMessage[] = [{ role: 'user', content: 'x'.repeat(20_000) }];
		await expect(store.append('s', big)).rejects.toThrow(/more than the Conversation Store keeps in one turn/);
		expect(await store.turns('s')).toEqual([turnWithTool(1)]);
		await store.close();
	});

	it('an unreachable server is reported naming the Conversation Store and its credential', async () => {
		const store = new PostgresConversationStore({ connection: { host: '127.0.0.1', port: 1, user: 'postgres', database: 'postgres' } });
		const failure = await store.load('s', 10).then(
			() => undefined,
			(error: Error & { description?: string }) => error,
		);
		expect(failure?.message).toMatch(/^The Conversation Store \(Postgres\) could not be reached/);
		expect(failure?.description).toContain('"Postgres" credential');
		await store.close();
	});

	it('a wrong database is named as such', async () => {
		const store = new PostgresConversationStore({ connection: { ...connection(), database: 'no_such_db' } });
		await expect(store.load('s', 10)).rejects.toThrow(/database does not exist/);
		await store.close();
	});

	it('refuses a table name that is not a plain identifier before connecting', () => {
		expect(() => new PostgresConversationStore({ connection: connection(), tableName: 'turns; DROP TABLE x' })).toThrow(
			'The Conversation Table "turns; DROP TABLE x" is not a valid table name',
		);
	});
});
