// The test servers other suites run against: PGlite's Postgres with pgvector over the wire, and a real Chroma.
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { startChromaServer } from '../helpers/chroma';
import { startPgliteServer } from '../helpers/pglite';

it('PGlite answers the ordinary pg client, with pgvector, and is gone after stop()', async () => {
	const server = await startPgliteServer();
	const client = new Client({ host: server.host, port: server.port, user: 'postgres', password: 'postgres', database: 'postgres' });
	try {
		await client.connect();
		await client.query('CREATE EXTENSION IF NOT EXISTS vector');
		const { rows } = await client.query("SELECT '[3,4]'::vector <=> '[6,8]'::vector AS distance");
		expect(rows[0].distance).toBeCloseTo(0, 6);
	} finally {
		await client.end();
		await server.stop();
	}
	expect(server.child.exitCode !== null || server.child.signalCode !== null).toBe(true);
}, 60_000);

it('Chroma answers its heartbeat, and stop() removes its data folder', async () => {
	const server = await startChromaServer();
	try {
		const res = await fetch(`${server.url}/api/v2/heartbeat`);
		expect(res.status).toBe(200);
		expect(existsSync(server.dir)).toBe(true);
	} finally {
		await server.stop();
	}
	expect(existsSync(server.dir)).toBe(false);
}, 60_000);
