// What one Vector Memory backend contributes to the nodes: how it is offered, its credential and fields, how its store opens.
import type { ICredentialDataDecryptedObject, ICredentialTestFunction, IExecuteFunctions, INodeProperties, ISupplyDataFunctions } from 'n8n-workflow';
import type { StoreBackend } from '../types';

/** A credential test the node runs itself (n8n's `testedBy`), for a credential that cannot test itself with one request. */
export interface BackendCredentialTest {
	/** The method name under the node's `methods.credentialTest`. */
	method: string;
	test: ICredentialTestFunction;
}

export interface BackendDefinition {
	/** The option's name in the Backend list. */
	label: string;
	/** The option's description in the Backend list. */
	description: string;
	/** The credential type the backend needs; null for one that needs none. */
	credential: string | null;
	/** Parameters of this backend alone; the table shows them only when it is chosen. */
	fields: INodeProperties[];
	/** Opens the store from the node's parameters (item 0) and the backend's credential ({} without one). */
	create(ctx: IExecuteFunctions | ISupplyDataFunctions, credentials: ICredentialDataDecryptedObject): StoreBackend;
	/** Null where the credential tests itself with its own request (its `test` property), or there is no credential. */
	testConnection: BackendCredentialTest | null;
}

/** A credential field as text: n8n gives unset fields as undefined, and a number where the field type says so. */
export const credentialText = (value: unknown): string => (typeof value === 'string' ? value : '');
