// The Chroma backend's row: a Chroma server from the chromaAgenticApi credential, one collection per namespace.
import { n8nTransport } from '../../shared/n8nHttp';
import { ChromaStore } from '../stores/chroma';
import { credentialText, type BackendDefinition } from './backend';

export const chromaBackend: BackendDefinition = {
	label: 'Chroma',
	description: 'A Chroma server, one collection per namespace',
	credential: 'chromaAgenticApi',
	fields: [],
	create: (ctx, credentials) =>
		new ChromaStore({
			baseUrl: credentialText(credentials.baseUrl),
			apiKey: credentialText(credentials.apiKey) || undefined,
			tenant: credentialText(credentials.tenant) || undefined,
			database: credentialText(credentials.database) || undefined,
			transport: n8nTransport(ctx),
		}),
	testConnection: null,
};
