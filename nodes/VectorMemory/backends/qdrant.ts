// The Qdrant backend's row: a Qdrant server or cloud cluster from the qdrantAgenticApi credential.
import { n8nTransport } from '../../shared/n8nHttp';
import { QdrantStore } from '../stores/qdrant';
import { credentialText, type BackendDefinition } from './backend';

export const qdrantBackend: BackendDefinition = {
	label: 'Qdrant',
	description: 'A Qdrant server or cloud cluster, one collection per namespace',
	credential: 'qdrantAgenticApi',
	fields: [],
	create: (ctx, credentials) =>
		new QdrantStore({ baseUrl: credentialText(credentials.url), apiKey: credentialText(credentials.apiKey) || undefined, transport: n8nTransport(ctx) }),
	testConnection: null,
};
