// A small stand-in for n8n's execute context (IExecuteFunctions), faithful where our nodes touch it, to run a node's execute() in Jest.
// Parameters get the node type's defaults and lose what its displayOptions hide, as n8n's Workflow does before a run;
// the HTTP helper behaves as n8n's (axios-based) helpers.httpRequest for the options our nodes send; binary data is
// inline base64 or, "stored", an id whose bytes n8n's binary data manager streams.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
	NodeHelpers,
	NodeOperationError,
	UserError,
	type IBinaryData,
	type ICredentialDataDecryptedObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeInputConfiguration,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
} from 'n8n-workflow';

/** Parameter values as n8n has them after resolving expressions for one item. */
export type Parameters = Record<string, unknown>;

export interface ExecuteContextOptions {
	/** The node type under test: its description gives the node's name, type, parameter defaults, inputs and credentials. */
	nodeType?: INodeType;
	/** Items on the first (main) input. */
	items?: INodeExecutionData[];
	/** Items on the further main inputs, by input index from 1 (e.g. the Plate Detector's Watchlist input). */
	moreInputs?: INodeExecutionData[][];
	/** The node's parameters, or per item what its expressions resolve to for that item. */
	parameters?: Parameters | ((itemIndex: number, item: INodeExecutionData | undefined) => Parameters);
	/** Credentials set on the node, by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The node's "On Error" setting is one of the continue options. */
	continueOnFail?: boolean;
	/** What getNodeInputs() answers (default: the node type's static inputs, else one main input). */
	nodeInputs?: INodeInputConfiguration[];
	/** What sub-nodes supply on each connection type (e.g. ai_tool: [tools]). */
	connectionData?: Record<string, unknown>;
	/** The names of the sub-nodes connected on each connection type, as getParentNodes gives them (e.g. ai_languageModel: ['OpenAI Chat Model']). */
	subNodes?: Record<string, string[]>;
	/** The execution's cancel signal (default one that is never aborted). */
	cancelSignal?: AbortSignal;
}

export interface ExecuteContext extends IExecuteFunctions {
	/** Ids of stored binaries a helper loaded whole into memory (getBinaryDataBuffer) instead of streaming them. */
	readonly storedBinariesLoadedWhole: string[];
}

const storedBinaries = new Map<string, Buffer>();

/**
 * A binary property as n8n's binary data manager hands it to the next node. `stored`: kept in filesystem/S3 mode,
 * the property carries an id and no data, and its bytes come from getBinaryStream (or whole, from getBinaryDataBuffer).
 */
export function binaryData(bytes: Buffer, options: { mimeType?: string; fileName?: string; stored?: boolean } = {}): IBinaryData {
	const { mimeType = 'application/octet-stream', fileName, stored = false } = options;
	const meta = { mimeType, ...(fileName ? { fileName } : {}), fileSize: `${bytes.length} B`, bytes: bytes.length };
	if (!stored) return { data: bytes.toString('base64'), ...meta };
	const id = `filesystem-v2:workflows/test/executions/temp/binary_data/${randomUUID()}`;
	storedBinaries.set(id, bytes);
	return { data: 'filesystem-v2', id, ...meta };
}

/** The n8n node a workflow holds for this node type: named by its display name, typed with the package prefix. */
function nodeOf(nodeType: INodeType | undefined, parameters: INodeParameters): INode {
	const description = nodeType?.description;
	const version = description ? Math.max(...[description.version].flat()) : 1;
	return {
		id: 'node-under-test',
		name: description?.displayName ?? 'Node',
		type: `n8n-nodes-agentic.${description?.name ?? 'node'}`,
		typeVersion: version,
		position: [0, 0],
		parameters,
	};
}

/** The parameter names a description declares, with the option names of each collection, to catch a test's typo. */
function unknownParameters(properties: INodeProperties[], given: Parameters): string[] {
	const unknown: string[] = [];
	for (const [name, value] of Object.entries(given)) {
		const declared = properties.filter((p) => p.name === name);
		if (declared.length === 0) {
			unknown.push(name);
			continue;
		}
		// A name may be declared once per operation, each a collection with its own options.
		const collections = declared.filter((p) => p.type === 'collection');
		if (collections.length && value && typeof value === 'object') {
			const options = new Set(collections.flatMap((c) => (c.options as INodeProperties[]).map((o) => o.name)));
			for (const key of Object.keys(value)) if (!options.has(key)) unknown.push(`${name}.${key}`);
		}
	}
	return unknown;
}

/** What n8n's Workflow does to saved parameters: fills the defaults in and drops what displayOptions hide. */
function resolveParameters(nodeType: INodeType | undefined, given: Parameters): INodeParameters {
	if (!nodeType) return structuredClone(given) as INodeParameters;
	const { description } = nodeType;
	const unknown = unknownParameters(description.properties, given);
	if (unknown.length) throw new Error(`the test sets ${unknown.join(', ')}, which the ${description.displayName} node does not have`);
	const version = Math.max(...[description.version].flat());
	return NodeHelpers.getNodeParameters(description.properties, structuredClone(given) as INodeParameters, true, false, { typeVersion: version }, description) ?? {};
}

function valueAt(parameters: INodeParameters, path: string): unknown {
	let value: unknown = parameters;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** n8n's helpers.httpRequest for what our nodes send: JSON or text bodies, full responses, status errors ignored or thrown. */
export async function httpRequest(options: IHttpRequestOptions): Promise<unknown> {
	const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
	const hasHeader = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
	let body: string | Buffer | undefined;
	const method = (options.method ?? 'GET').toUpperCase();
	if (options.body !== undefined && options.body !== null && method !== 'GET') {
		if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) body = options.body as string | Buffer;
		else if (Object.keys(options.body).length > 0) {
			// axios sends a plain object as JSON.
			body = JSON.stringify(options.body);
			if (!hasHeader('content-type')) headers['content-type'] = 'application/json';
		}
	}
	if (options.json && !hasHeader('accept')) headers.Accept = 'application/json';
	const url = new URL(options.url, options.baseURL);
	for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.append(key, String(value));

	const timeout = options.timeout ? AbortSignal.timeout(options.timeout) : undefined;
	const signals = [timeout, options.abortSignal].filter((s): s is AbortSignal => s !== undefined);
	let response: Response;
	try {
		response = await fetch(url, { method, headers, body, signal: signals.length ? AbortSignal.any(signals) : undefined });
	} catch (error) {
		throw axiosLikeNetworkError(error as Error, options, timeout);
	}

	const responseHeaders: Record<string, string> = {};
	response.headers.forEach((value, name) => (responseHeaders[name] = value));
	const bytes = Buffer.from(await response.arrayBuffer());
	const data = responseBody(bytes, options.encoding);
	const ignoreStatus = options.ignoreHttpStatusErrors === true || (typeof options.ignoreHttpStatusErrors === 'object' && options.ignoreHttpStatusErrors !== null);
	if (!ignoreStatus && (response.status < 200 || response.status >= 300)) {
		throw Object.assign(new Error(`Request failed with status code ${response.status}`), {
			code: response.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST',
			response: { status: response.status, headers: responseHeaders, data },
		});
	}
	if (options.returnFullResponse) return { body: data, headers: responseHeaders, statusCode: response.status, statusMessage: response.statusText };
	return data;
}

function responseBody(bytes: Buffer, encoding: IHttpRequestOptions['encoding']): unknown {
	if (encoding === 'arraybuffer') return bytes;
	const text = bytes.toString('utf8');
	if (encoding === 'text') return text;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/** The errors axios throws: a timeout (ECONNABORTED), a stopped execution (ERR_CANCELED), or the socket's own code. */
function axiosLikeNetworkError(error: Error, options: IHttpRequestOptions, timeout: AbortSignal | undefined): Error {
	if (timeout?.aborted) return Object.assign(new Error(`timeout of ${options.timeout}ms exceeded`), { code: 'ECONNABORTED' });
	if (options.abortSignal?.aborted) return Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });
	const cause = (error as { cause?: { code?: string; message?: string } }).cause;
	return Object.assign(new Error(cause?.message ?? error.message), { code: cause?.code ?? 'ECONNREFUSED' });
}

/** An IExecuteFunctions for `nodeType.execute.call(context)`. */
export function executeContext(options: ExecuteContextOptions = {}): ExecuteContext {
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const inputs = [items, ...(options.moreInputs ?? [])];
	const parametersFor = (itemIndex: number): Parameters =>
		typeof options.parameters === 'function' ? options.parameters(itemIndex, items[itemIndex]) : (options.parameters ?? {});
	const resolved = new Map<number, INodeParameters>();
	const parametersOf = (itemIndex: number) => {
		if (!resolved.has(itemIndex)) resolved.set(itemIndex, resolveParameters(options.nodeType, parametersFor(itemIndex)));
		return resolved.get(itemIndex)!;
	};
	const node = nodeOf(options.nodeType, parametersOf(0));
	// As in a workflow: the node names the credential it is set to for each type the test gives.
	if (options.credentials) node.credentials = Object.fromEntries(Object.keys(options.credentials).map((type) => [type, { id: `cred-${type}`, name: `Test ${type}` }]));
	const description = options.nodeType?.description;
	const staticInputs = Array.isArray(description?.inputs)
		? description.inputs.map((input) => (typeof input === 'string' ? { type: input } : input))
		: [{ type: 'main' }];
	const nodeInputs = (options.nodeInputs ?? staticInputs) as INodeInputConfiguration[];
	const cancelSignal = options.cancelSignal ?? new AbortController().signal;
	const storedBinariesLoadedWhole: string[] = [];

	const binaryOf = (itemIndex: number, propertyName: string, inputIndex = 0): IBinaryData => {
		const binary = inputs[inputIndex]?.[itemIndex]?.binary;
		if (binary === undefined) {
			throw new NodeOperationError(node, `This operation expects the node's input data to contain a binary file '${propertyName}', but none was found [item ${itemIndex}]`, {
				itemIndex,
				description: 'Make sure that the previous node outputs a binary file',
			});
		}
		if (binary[propertyName] === undefined) {
			throw new NodeOperationError(node, `The item has no binary field '${propertyName}' [item ${itemIndex}]`, {
				itemIndex,
				description: 'Check that the parameter where you specified the input binary field name is correct, and that it matches a field in the binary input',
			});
		}
		return binary[propertyName];
	};
	const storedBytes = (id: string): Buffer => {
		const bytes = storedBinaries.get(id);
		if (!bytes) throw new Error(`no binary data stored under ${id}`);
		return bytes;
	};

	const context = {
		storedBinariesLoadedWhole,
		getInputData: (inputIndex = 0) => inputs[inputIndex] ?? [],
		getNode: () => structuredClone(node),
		continueOnFail: () => options.continueOnFail ?? false,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const found = valueAt(parametersOf(itemIndex), name);
			const value = found === undefined ? fallback : found;
			if (value === undefined) throw new UserError(`Could not get parameter "${name}"`, { extra: { parameterName: name } });
			return structuredClone(value);
		},
		getCredentials: async (type: string) => {
			if (description) {
				const declared = (description.credentials ?? []).find((c) => c.name === type);
				if (!declared) throw new NodeOperationError(node, `Node type "${node.type}" does not have any credentials of type "${type}" defined`, { level: 'warning' });
				if (!NodeHelpers.displayParameter(node.parameters, declared, node, description, node.parameters)) throw new NodeOperationError(node, 'Credentials not found');
			}
			const data = options.credentials?.[type];
			const required = (description?.credentials ?? []).find((c) => c.name === type)?.required === true;
			// n8n's own words when an optional credential was not set.
			if (!data && description && !required) throw new NodeOperationError(node, 'Node does not require credentials');
			if (!data) throw new NodeOperationError(node, `Node does not have any credentials set for "${type}"`, { level: 'warning' });
			return structuredClone(data);
		},
		getNodeInputs: () => nodeInputs,
		getInputConnectionData: async (type: string) => {
			const declared = nodeInputs.filter((input) => input.type === type);
			if (declared.length === 0) throw new UserError('Node does not have input of type', { extra: { nodeName: node.name, connectionType: type } });
			// n8n gives a single-connection input's sub-node itself, and nothing when none is connected.
			if (declared.length === 1 && declared[0].maxConnections === 1) return options.connectionData?.[type];
			return options.connectionData?.[type] ?? [];
		},
		getParentNodes: (_nodeName: string, parentOptions: { connectionType?: string } = {}) =>
			Object.entries(options.subNodes ?? {})
				.filter(([type]) => parentOptions.connectionType === undefined || parentOptions.connectionType === type)
				.flatMap(([type, names]) => names.map((name) => ({ name, type: `sub-node.${type}`, typeVersion: 1, disabled: false }))),
		getExecutionCancelSignal: () => cancelSignal,
		helpers: {
			httpRequest,
			assertBinaryData: (itemIndex: number, propertyName: string, inputIndex = 0) => binaryOf(itemIndex, propertyName, inputIndex),
			getBinaryDataBuffer: async (itemIndex: number, propertyName: string, inputIndex = 0) => {
				const binary = binaryOf(itemIndex, propertyName, inputIndex);
				if (!binary.id) return Buffer.from(binary.data, 'base64');
				storedBinariesLoadedWhole.push(binary.id);
				return storedBytes(binary.id);
			},
			getBinaryStream: async (id: string, chunkSize = 64 * 1024) => {
				const bytes = storedBytes(id);
				return Readable.from(Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, k) => bytes.subarray(k * chunkSize, (k + 1) * chunkSize)));
			},
			prepareBinaryData: async (data: Buffer, fileName?: string, mimeType?: string) => ({
				...binaryData(data, { mimeType, fileName }),
				...(fileName?.includes('.') ? { fileExtension: fileName.split('.').pop() } : {}),
			}),
		},
	};
	return context as unknown as ExecuteContext;
}
