// The embedded backend's row: on this n8n server's disk, no credential, nothing to set.
import { EmbeddedStore } from '../stores/embedded';
import type { BackendDefinition } from './backend';

export const embeddedBackend: BackendDefinition = {
	label: 'Embedded',
	description: "On this n8n server's disk, no database needed (in the n8n user folder)",
	credential: null,
	fields: [],
	create: () => new EmbeddedStore(),
	testConnection: null,
};
