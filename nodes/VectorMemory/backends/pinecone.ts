// The Pinecone backend's row: one Pinecone index from the pineconeAgenticApi credential; namespaces are Pinecone namespaces.
import { n8nTransport } from '../../shared/n8nHttp';
import { PineconeStore } from '../stores/pinecone';
import { credentialText, type BackendDefinition } from './backend';

export const pineconeBackend: BackendDefinition = {
	label: 'Pinecone',
	description: 'One Pinecone index; namespaces are Pinecone namespaces',
	credential: 'pineconeAgenticApi',
	fields: [],
	create: (ctx, credentials) =>
		new PineconeStore({ indexHost: credentialText(credentials.indexHost), apiKey: credentialText(credentials.apiKey), transport: n8nTransport(ctx) }),
	testConnection: null,
};
