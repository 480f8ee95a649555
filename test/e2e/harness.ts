// Boots a real n8n with this package installed as a community package, loads credentials and workflows over its REST API,
// calls webhooks and reads executions back, then stops it leaving no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { freePort } from '../helpers/ports';
import { cachedNodesDir } from './communityPackage';
import { ensureRuntime, type N8nRuntime, type RuntimeSpec } from './runtime';

export { freePort };

export const DEFAULT_OWNER = { email: 'owner@example.com', password: 'Agentic-Owner-2026' };

export interface CredentialSpec {
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** An n8n workflow as exported from the editor (id and credential ids optional: credentials are matched by name). */
export interface WorkflowSpec {
	name: string;
	nodes: Array<Record<string, unknown> & { name: string; type: string; credentials?: Record<string, { id?: string; name: string }> }>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	/** Publish it (n8n 2.x's name for activation; n8n 1.x activates it) so its webhooks and triggers listen; default true. */
	active?: boolean;
	[key: string]: unknown;
}

export interface StartOptions {
	credentials?: CredentialSpec[];
	workflows?: WorkflowSpec[];
	/** Extra environment for n8n (e.g. a capture's proxyEnv()). */
	env?: Record<string, string>;
	/** Install this package (default true). */
	withPackage?: boolean;
	/**
	 * A nodes folder (n8n's `.n8n/nodes`) to use instead of the current build's; whether n8n loads what it holds is
	 * then the caller's to check.
	 */
	nodesDir?: string;
	/** How long to wait for n8n to answer; a cold runtime install is allowed for separately. */
	bootTimeoutMs?: number;
	log?: (line: string) => void;
	/** Which cached runtime to boot (default n8n 2.41.1 on Node 24); e.g. N8N1_RUNTIME for n8n 1.123 on Node 20. */
	runtime?: RuntimeSpec;
}

export interface WebhookResponse {
	status: number;
	headers: Headers;
	/** Parsed JSON when the response is JSON, else the text. */
	body: any;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string;
	stoppedAt?: string | null;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	data?: { main?: Array<Array<{ json: Record<string, any>; pairedItem?: unknown }> | null>; [connection: string]: any };
	error?: { message: string; description?: string; [key: string]: unknown };
	inputOverride?: Record<string, any>;
	/** The node (and its run) that fed this run: for a tool, the agent that called it. */
	source?: Array<{ previousNode: string; previousNodeRun?: number; previousNodeOutput?: number } | null>;
}

export interface Execution extends ExecutionSummary {
	data: {
		resultData: { runData: Record<string, NodeRun[]>; error?: { message: string; [key: string]: unknown }; lastNodeExecuted?: string };
		[key: string]: unknown;
	};
}

export interface N8nInstance {
	url: string;
	/** The runtime this n8n runs on (its n8n and Node versions). */
	runtime: N8nRuntime;
	/** n8n's pid, also the id of the process group it and its task runner run in. */
	pid: number;
	port: number;
	userFolder: string;
	logFile: string;
	/** Workflow ids by workflow name. */
	workflowIds: Record<string, string>;
	/** Credential ids by credential name. */
	credentialIds: Record<string, string>;
	/** Any request to n8n as the signed-in owner (path from the root, e.g. /types/nodes.json). */
	request(method: string, urlPath: string, body?: unknown): Promise<Response>;
	/** Calls n8n's REST API as the owner; returns its `data`. */
	rest<T = any>(method: string, urlPath: string, body?: unknown): Promise<T>;
	createCredential(spec: CredentialSpec): Promise<string>;
	createWorkflow(spec: WorkflowSpec): Promise<string>;
	publishWorkflow(workflowId: string): Promise<void>;
	/** Calls a production webhook: path as set on the Webhook node. */
	webhook(method: string, webhookPath: string, body?: unknown, headers?: Record<string, string>): Promise<WebhookResponse>;
	executions(workflowId: string): Promise<ExecutionSummary[]>;
	getExecution(id: string): Promise<Execution>;
	/** The newest finished execution of a workflow, waiting for one to finish (executions are saved after the response). */
	lastExecution(workflowId: string, options?: { timeoutMs?: number; after?: string }): Promise<Execution>;
	logTail(lines?: number): string;
	stop(): Promise<void>;
}

/** The `json` of every item a node put out (one run, one output). */
export function nodeOutput(execution: Execution, nodeName: string, options: { run?: number; output?: number } = {}): Array<Record<string, any>> {
	const runs = execution.data.resultData.runData[nodeName];
	if (!runs) {
		throw new Error(`node "${nodeName}" did not run; ran: ${Object.keys(execution.data.resultData.runData).join(', ') || 'nothing'}`);
	}
	const run = runs[options.run ?? 0];
	if (run.error) throw new Error(`node "${nodeName}" failed: ${run.error.message}`);
	return (run.data?.main?.[options.output ?? 0] ?? []).map((item) => item.json);
}

/** The error a node ended with, if any. */
export function nodeError(execution: Execution, nodeName: string, runIndex = 0): NodeRun['error'] {
	return execution.data.resultData.runData[nodeName]?.[runIndex]?.error;
}

function tail(file: string, lines = 60): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

/** The environment n8n runs with here: quiet, local, no telemetry, ports of our choosing. */
export function n8nEnv(
	runtime: N8nRuntime,
	o: { userFolder: string; port: number; brokerPort: number; encryptionKey?: string; extra?: Record<string, string> },
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		// The parent's proxy settings, Node options and npm/jest variables must not leak into n8n
		// (Jest's NODE_ENV=test makes n8n refuse to load nodes and exit without a word; a NODE_PATH could hand the
		// installed package modules it does not have).
		if (/^(https?_proxy|no_proxy|all_proxy|node_options|node_env|node_path|node_extra_ca_certs|npm_|jest_|n8n_|db_)/i.test(key)) continue;
		env[key] = value;
	}
	return {
		...env,
		PATH: runtime.pathEnv,
		N8N_USER_FOLDER: o.userFolder,
		N8N_PORT: String(o.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://localhost:${o.port}/`,
		N8N_EDITOR_BASE_URL: `http://localhost:${o.port}/`,
		// Without a key n8n makes one and keeps it in the user folder's config file.
		...(o.encryptionKey ? { N8N_ENCRYPTION_KEY: o.encryptionKey } : {}),
		DB_TYPE: 'sqlite',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_PORT: String(o.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '100',
		...o.extra,
	};
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Stops n8n and its task runner: SIGTERM to the whole process group, SIGKILL after a grace period. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
	const pid = child.pid;
	if (!pid) return;
	const groupAlive = () => isAlive(-pid);
	if (!groupAlive()) return;
	try {
		process.kill(-pid, 'SIGTERM');
	} catch {
		return;
	}
	const deadline = Date.now() + graceMs;
	while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
	if (groupAlive()) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// Gone between the check and the kill.
		}
		const killDeadline = Date.now() + 5000;
		while (groupAlive() && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 50));
	}
	if (groupAlive()) throw new Error(`n8n's process group ${pid} is still alive after SIGKILL`);
}

export class N8nClient {
	private cookie = '';
	/** n8nMajor: 2 publishes workflows through an outbox, 1 activates them at once (the REST API differs there). */
	constructor(
		readonly url: string,
		readonly n8nMajor = 2,
	) {}

	async request(method: string, urlPath: string, body?: unknown): Promise<Response> {
		return fetch(`${this.url}${urlPath}`, {
			method,
			headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	}

	async rest<T = any>(method: string, urlPath: string, body?: unknown): Promise<T> {
		const res = await this.request(method, `/rest${urlPath}`, body);
		const text = await res.text();
		if (!res.ok) throw new Error(`n8n ${method} /rest${urlPath} answered ${res.status}: ${text.slice(0, 500)}`);
		this.keepCookie(res);
		if (!text) return undefined as T;
		try {
			return JSON.parse(text).data as T;
		} catch {
			throw new Error(`n8n ${method} /rest${urlPath} answered ${res.status} with something not JSON: ${text.slice(0, 200)}`);
		}
	}

	private keepCookie(res: Response): void {
		const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
	}

	/** Waits until n8n's REST API answers (its /healthz answers earlier, before routes are mounted). */
	async waitReady(timeoutMs: number, exited: () => string | undefined, started: () => boolean = () => true): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const why = exited();
			if (why) throw new Error(why);
			try {
				const res = await fetch(`${this.url}/rest/settings`);
				// While starting, n8n answers every path with a 200 text page; the JSON settings mean the API is mounted.
				if (res.ok && res.headers.get('content-type')?.includes('json') && started()) return;
			} catch {
				// Not listening yet.
			}
			if (Date.now() > deadline) throw new Error(`n8n did not answer on ${this.url} within ${Math.round(timeoutMs / 1000)} s`);
			await new Promise((r) => setTimeout(r, 250));
		}
	}

	/** Creates the owner account on a fresh instance, or logs in when it exists. */
	async signIn(owner: { email: string; password: string }): Promise<'created' | 'logged-in'> {
		const settings = await this.rest('GET', '/settings');
		if (settings?.userManagement?.showSetupOnFirstLoad !== false) {
			await this.rest('POST', '/owner/setup', { email: owner.email, password: owner.password, firstName: 'Owner', lastName: 'Agentic' });
			return 'created';
		}
		await this.rest('POST', '/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		return 'logged-in';
	}

	async createCredential(spec: CredentialSpec): Promise<string> {
		const created = await this.rest('POST', '/credentials', { name: spec.name, type: spec.type, data: spec.data });
		return created.id;
	}

	/**
	 * Creates a workflow, pointing its nodes' credentials at those created here (by name). A credential that was not
	 * created is an error, unless keepUnknownCredentials (for workflows the user will wire up in the editor).
	 */
	async createWorkflow(
		spec: WorkflowSpec,
		credentialIds: Record<string, string>,
		{ keepUnknownCredentials = false } = {},
	): Promise<{ id: string; versionId: string }> {
		const { active, id, ...rest } = spec;
		void active;
		void id;
		const nodes = spec.nodes.map((node) => {
			if (!node.credentials) return node;
			const credentials = Object.fromEntries(
				Object.entries(node.credentials).map(([type, ref]) => {
					const known = credentialIds[ref.name];
					if (!known && !ref.id && !keepUnknownCredentials) throw new Error(`workflow "${spec.name}" node "${node.name}" uses credential "${ref.name}", which was not created`);
					return [type, { id: known ?? ref.id, name: ref.name }];
				}),
			);
			return { ...node, credentials };
		});
		// n8n 1.x stores `active` as given and refuses a workflow without it (its editor always sends it).
		const inactive = this.n8nMajor < 2 ? { active: false } : {};
		const created = await this.rest('POST', '/workflows', { settings: { executionOrder: 'v1' }, ...rest, ...inactive, nodes });
		return { id: created.id, versionId: created.versionId };
	}

	async publishWorkflow(workflowId: string, versionId?: string): Promise<void> {
		const version = versionId ?? (await this.rest('GET', `/workflows/${workflowId}`)).versionId;
		const activated = await this.rest('POST', `/workflows/${workflowId}/activate`, { versionId: version });
		// n8n 1.x registers webhooks and triggers before the call answers (a failure is a 400 naming the node); it has no publication outbox.
		if (this.n8nMajor < 2) {
			if (activated?.active !== true) throw new Error(`workflow ${workflowId} is not active after activating it`);
			return;
		}
		// n8n 2.x publishes through an outbox worker: webhooks listen only once the publication settles.
		const deadline = Date.now() + 30_000;
		for (;;) {
			const publication = await this.rest('GET', `/workflows/${workflowId}/publication-status`);
			if (publication.status === 'published') return;
			if (publication.status === 'failed' || publication.status === 'partial') {
				const reasons = (publication.triggers ?? []).map((t: { errorMessage?: string }) => t.errorMessage).filter(Boolean);
				throw new Error(`publishing workflow ${workflowId} ${publication.status}: ${reasons.join('; ') || 'no reason given'}`);
			}
			if (Date.now() > deadline) throw new Error(`workflow ${workflowId} still ${publication.status} 30 s after publishing`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}
}

let flatted: { parse(text: string): any } | undefined;
function parseFlatted(runtime: N8nRuntime, text: string): any {
	// The REST API sends execution data in n8n's "flatted" encoding; use the copy n8n itself ships.
	flatted ??= createRequire(path.join(runtime.dir, 'node_modules', 'n8n', 'package.json'))('flatted');
	return flatted!.parse(text);
}

export async function startN8n(options: StartOptions = {}): Promise<N8nInstance> {
	// A first run installs n8n for minutes: say so rather than sit silent.
	const log = options.log ?? ((line: string) => process.stderr.write(`[n8n e2e] ${line}\n`));
	const runtime = await ensureRuntime({ ...options.runtime, log });
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const n8nFolder = path.join(userFolder, '.n8n');
	fs.mkdirSync(n8nFolder, { recursive: true });
	const checkPackageLoads = options.withPackage !== false && !options.nodesDir;
	if (options.withPackage !== false) {
		fs.symlinkSync(options.nodesDir ?? (await cachedNodesDir(log)), path.join(n8nFolder, 'nodes'), 'dir');
	}
	const [port, brokerPort] = [await freePort(), await freePort()];
	const logFile = path.join(userFolder, 'n8n.log');
	const logFd = fs.openSync(logFile, 'a');
	const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], {
		cwd: userFolder,
		env: n8nEnv(runtime, {
			userFolder,
			port,
			brokerPort,
			encryptionKey: randomBytes(24).toString('hex'),
			extra: { ...runtime.env, ...options.env },
		}),
		// Its own process group, so stop() reaches the task runner n8n spawns too.
		detached: true,
		stdio: ['ignore', logFd, logFd],
	});
	fs.closeSync(logFd);
	let exitInfo: string | undefined;
	// If the test process ends without stop() (a crash, a forgotten afterAll), n8n must not outlive it.
	const killOnExit = () => {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// Already gone.
		}
	};
	process.once('exit', killOnExit);
	child.on('exit', (code, signal) => {
		exitInfo = `n8n exited (${signal ?? `code ${code}`})`;
		process.removeListener('exit', killOnExit);
	});

	const url = `http://127.0.0.1:${port}`;
	const client = new N8nClient(url, runtime.n8nMajor);
	const fail = async (error: unknown): Promise<never> => {
		await stopProcessGroup(child).catch(() => undefined);
		const message = (error as Error).message;
		throw new Error(`${message}\n--- n8n log (${logFile}) ---\n${tail(logFile)}`);
	};

	const workflowIds: Record<string, string> = {};
	const credentialIds: Record<string, string> = {};
	try {
		// Published workflows' webhooks register only once n8n reports the editor accessible, after the API is mounted.
		await client.waitReady(options.bootTimeoutMs ?? 120_000, () => exitInfo, () => tail(logFile, 400).includes('Editor is now accessible'));
		if (checkPackageLoads) {
			const loadFailure = /(Failed to load package "n8n-nodes-agentic"|Skipping package[^\n]*n8n-nodes-agentic)[^\n]*/.exec(tail(logFile, 2000));
			if (loadFailure) throw new Error(`n8n did not load this package: ${loadFailure[0]}`);
		}
		await client.signIn(DEFAULT_OWNER);
		for (const spec of options.credentials ?? []) credentialIds[spec.name] = await client.createCredential(spec);
		for (const spec of options.workflows ?? []) {
			const { id, versionId } = await client.createWorkflow(spec, credentialIds);
			workflowIds[spec.name] = id;
			if (spec.active !== false) await client.publishWorkflow(id, versionId);
		}
	} catch (error) {
		return fail(error);
	}

	const instance: N8nInstance = {
		url,
		runtime,
		pid: child.pid!,
		port,
		userFolder,
		logFile,
		workflowIds,
		credentialIds,
		request: (method, urlPath, body) => client.request(method, urlPath, body),
		rest: (method, urlPath, body) => client.rest(method, urlPath, body),
		createCredential: async (spec) => (credentialIds[spec.name] = await client.createCredential(spec)),
		createWorkflow: async (spec) => {
			const { id, versionId } = await client.createWorkflow(spec, credentialIds);
			workflowIds[spec.name] = id;
			if (spec.active !== false) await client.publishWorkflow(id, versionId);
			return id;
		},
		publishWorkflow: (id) => client.publishWorkflow(id),
		webhook: async (method, webhookPath, body, headers = {}) => {
			const isJson = body !== undefined && typeof body !== 'string';
			const res = await fetch(`${url}/webhook/${webhookPath.replace(/^\//, '')}`, {
				method,
				headers: { ...(isJson ? { 'content-type': 'application/json' } : {}), ...headers },
				body: body === undefined ? undefined : isJson ? JSON.stringify(body) : (body as string),
			});
			const text = await res.text();
			let parsed: unknown = text;
			if (res.headers.get('content-type')?.includes('json')) {
				try {
					parsed = JSON.parse(text);
				} catch {
					// Keep the text.
				}
			}
			return { status: res.status, headers: res.headers, body: parsed };
		},
		executions: async (workflowId) => {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const page = await client.rest('GET', `/executions?filter=${filter}&limit=50`);
			return (page.results ?? []) as ExecutionSummary[];
		},
		getExecution: async (id) => {
			const found = await client.rest('GET', `/executions/${id}`);
			return { ...found, data: typeof found.data === 'string' ? parseFlatted(runtime, found.data) : found.data } as Execution;
		},
		lastExecution: async (workflowId, { timeoutMs = 30_000, after } = {}) => {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const list = await instance.executions(workflowId);
				const done = list.filter((e) => !['new', 'running', 'waiting'].includes(e.status) && (!after || Number(e.id) > Number(after)));
				done.sort((a, b) => Number(b.id) - Number(a.id));
				if (done[0]) return instance.getExecution(done[0].id);
				if (Date.now() > deadline) {
					throw new Error(`no finished execution of workflow ${workflowId} within ${timeoutMs} ms (seen: ${JSON.stringify(list.map((e) => [e.id, e.status]))})`);
				}
				await new Promise((r) => setTimeout(r, 200));
			}
		},
		logTail: (lines) => tail(logFile, lines),
		stop: async () => {
			await stopProcessGroup(child);
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
	return instance;
}
