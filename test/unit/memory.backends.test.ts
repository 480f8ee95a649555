// The backend table: every row has what the nodes need, and what is made from it is what n8n shows and opens.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHelpers, type ICredentialType, type INodeProperties } from 'n8n-workflow';
import { BACKENDS, backendCredentialDescriptions, backendCredentialTests, createBackend, type BackendName } from '../../nodes/VectorMemory/backends';
import type { BackendDefinition } from '../../nodes/VectorMemory/backends/backend';
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE, DEFAULT_TOP_K } from '../../nodes/VectorMemory/defaults';
import { ChromaStore } from '../../nodes/VectorMemory/stores/chroma';
import { EmbeddedStore } from '../../nodes/VectorMemory/stores/embedded';
import { PgVectorStore } from '../../nodes/VectorMemory/stores/pgvector';
import { PineconeStore } from '../../nodes/VectorMemory/stores/pinecone';
import { QdrantStore } from '../../nodes/VectorMemory/stores/qdrant';
import { VectorMemory as VectorMemoryNode } from '../../nodes/VectorMemory/VectorMemory.node';
import { executeContext } from '../helpers/executeContext';

const REPO = join(__dirname, '..', '..');
const node = new VectorMemoryNode();
const { description } = node;
const property = (name: string) => (description.properties as INodeProperties[]).find((p) => p.name === name)!;
const rows = Object.entries(BACKENDS) as Array<[BackendName, BackendDefinition]>;

/** The credential types this package ships, by name, from the files package.json lists for n8n. */
function shippedCredentials(): Map<string, ICredentialType> {
	const paths: string[] = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).n8n.credentials;
	const types = paths.map((path) => {
		const source = join(REPO, path.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		const exported = Object.values(require(source) as Record<string, new () => ICredentialType>);
		return new exported[0]();
	});
	return new Map(types.map((type) => [type.name, type]));
}

const shown = (values: Record<string, unknown>) => ({
	parameters: (description.properties as INodeProperties[]).filter((p) => NodeHelpers.displayParameter(values as never, p, null, description)).map((p) => p.name),
	credentials: (description.credentials ?? []).filter((c) => NodeHelpers.displayParameter(values as never, c, null, description)).map((c) => c.name),
});

describe('every backend row', () => {
	const credentials = shippedCredentials();

	it.each(rows)('%s has a label, a description, a store to open, and a credential this package ships or none', (_name, row) => {
		expect(row.label).toMatch(/^[A-Z]/);
		expect(row.description.length).toBeGreaterThan(10);
		expect(typeof row.create).toBe('function');
		for (const field of row.fields) expect(field).toEqual(expect.objectContaining({ displayName: expect.any(String), name: expect.any(String), type: expect.any(String) }));
		if (row.credential === null) {
			expect(row.testConnection).toBeNull();
			return;
		}
		const credential = credentials.get(row.credential);
		expect(credential).toBeDefined();
		// A credential that cannot test itself with one request is tested by the node: one or the other, always.
		expect(Boolean(credential!.test) !== Boolean(row.testConnection)).toBe(true);
	});

	it('gives each backend its own credential', () => {
		const names = rows.map(([, row]) => row.credential).filter(Boolean);
		expect(new Set(names).size).toBe(names.length);
	});
});

describe('what n8n shows from the table', () => {
	it('lists the backends sorted by label, as n8n wants options', () => {
		expect(property('backend').options).toEqual([
			{ name: 'Chroma', value: 'chroma', description: 'A Chroma server, one collection per namespace' },
			{ name: 'Embedded', value: 'embedded', description: "On this n8n server's disk, no database needed (in the n8n user folder)" },
			{ name: 'Pinecone', value: 'pinecone', description: 'One Pinecone index; namespaces are Pinecone namespaces' },
			{ name: 'Postgres Pgvector', value: 'pgvector', description: 'A Postgres table with the pgvector extension' },
			{ name: 'Qdrant', value: 'qdrant', description: 'A Qdrant server or cloud cluster, one collection per namespace' },
		]);
		expect(property('backend').default).toBe('embedded');
	});

	it('lists the operations sorted by name', () => {
		expect(property('operation').options!.map((o) => (o as { name: string }).name)).toEqual(['Clear', 'Delete', 'Insert or Update', 'Query', 'Stats']);
	});

	it('shows a backend\'s fields and credential only when that backend is chosen, and the embeddings credential only where texts are embedded', () => {
		expect(shown({ backend: 'pgvector', operation: 'query' })).toEqual({
			parameters: expect.arrayContaining(['tableName', 'distance', 'query', 'topK']),
			credentials: ['openAiCompatibleAgenticApi', 'pgVectorAgenticApi'],
		});
		for (const backend of ['embedded', 'chroma', 'qdrant', 'pinecone']) {
			expect(shown({ backend, operation: 'insert' }).parameters).not.toContain('tableName');
		}
		expect(shown({ backend: 'qdrant', operation: 'stats' }).credentials).toEqual(['qdrantAgenticApi']);
		expect(shown({ backend: 'pinecone', operation: 'insert' }).credentials).toEqual(['openAiCompatibleAgenticApi', 'pineconeAgenticApi']);
		expect(shown({ backend: 'chroma', operation: 'clear' }).credentials).toEqual(['chromaAgenticApi']);
		expect(shown({ backend: 'embedded', operation: 'delete' }).credentials).toEqual([]);
	});

	it('names a credential test the node carries for the credential that needs one, and no other', () => {
		const tested = (description.credentials ?? []).filter((c) => c.testedBy);
		expect(tested.map((c) => [c.name, c.testedBy])).toEqual([['pgVectorAgenticApi', 'pgVectorAgenticApiConnectionTest']]);
		expect(Object.keys(node.methods.credentialTest)).toEqual(['pgVectorAgenticApiConnectionTest']);
		expect(node.methods.credentialTest).toBe(backendCredentialTests);
	});

	it('gives another node the backend credentials under its own condition, without naming tests it does not carry', () => {
		expect(backendCredentialDescriptions({ builtInTools: ['recallMemory'] })).toEqual([
			{ name: 'chromaAgenticApi', required: true, displayOptions: { show: { builtInTools: ['recallMemory'], backend: ['chroma'] } } },
			{ name: 'pgVectorAgenticApi', required: true, displayOptions: { show: { builtInTools: ['recallMemory'], backend: ['pgvector'] } } },
			{ name: 'pineconeAgenticApi', required: true, displayOptions: { show: { builtInTools: ['recallMemory'], backend: ['pinecone'] } } },
			{ name: 'qdrantAgenticApi', required: true, displayOptions: { show: { builtInTools: ['recallMemory'], backend: ['qdrant'] } } },
		]);
	});

	it('takes its defaults from one place', () => {
		expect([property('chunkSize').default, property('chunkOverlap').default, property('topK').default]).toEqual([DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_OVERLAP, DEFAULT_TOP_K]);
		expect([DEFAULT_CHUNK_SIZE, DEFAULT_CHUNK_OVERLAP, DEFAULT_TOP_K]).toEqual([1000, 200, 4]);
	});

	it('names every backend in the node\'s description', () => {
		for (const [name, row] of rows) if (name !== 'embedded') expect(description.description).toContain(row.label);
	});
});

describe('createBackend', () => {
	const open = (backend: string, credentials: Record<string, Record<string, unknown>> = {}, parameters: Record<string, unknown> = {}) =>
		createBackend(executeContext({ nodeType: node, parameters: { backend, operation: 'stats', ...parameters }, credentials: credentials as never }), backend as BackendName);

	it.each([
		['chroma', ChromaStore, { chromaAgenticApi: { baseUrl: 'http://chroma.local:8000', apiKey: 'chroma-token', tenant: '', database: '' } }, ['chroma-token']],
		['qdrant', QdrantStore, { qdrantAgenticApi: { url: 'http://qdrant.local:6333', apiKey: 'qdrant-key' } }, ['qdrant-key']],
		['pinecone', PineconeStore, { pineconeAgenticApi: { apiKey: 'pc-key', indexHost: 'idx.pinecone.io' } }, ['pc-key']],
		['pgvector', PgVectorStore, { pgVectorAgenticApi: { host: 'db.local', port: 5432, database: 'm', user: 'u', password: 'pg-secret', ssl: 'disable' } }, ['pg-secret']],
	] as const)('opens %s from its credential and keeps its secret for redaction', async (backend, Store, credentials, secrets) => {
		const { store, secrets: kept } = await open(backend, credentials);
		expect(store).toBeInstanceOf(Store);
		expect(kept).toEqual(secrets);
		await store.close();
	});

	it('opens the embedded store without asking for any credential', async () => {
		const { store, secrets } = await open('embedded');
		expect(store).toBeInstanceOf(EmbeddedStore);
		expect(secrets).toEqual([]);
	});

	it('reads the pgvector table name from the node, and names it when it is not a plain identifier', async () => {
		const credentials = { pgVectorAgenticApi: { host: 'db.local', password: 'pw' } };
		await expect(open('pgvector', credentials, { tableName: 'drop table' })).rejects.toThrow('Invalid table name "drop table"');
	});

	it('says which credential is missing', async () => {
		await expect(open('qdrant')).rejects.toThrow('Node does not have any credentials set for "qdrantAgenticApi"');
	});
});
