// Fake of the fixed-host services n8n's own nodes call (Slack, Gmail, WhatsApp Cloud API, Google OAuth), which cannot
// be reached from tests: an HTTP proxy that terminates TLS with certificates from a CA made here, records every request and
// answers like the real APIs' published responses (or as the test's handler says).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

export interface CapturedRequest {
	/** Host name the client asked for (from CONNECT, or the absolute URL of a plain-HTTP proxy request). */
	host: string;
	protocol: 'https' | 'http';
	method: string;
	/** Path with query string. */
	path: string;
	headers: http.IncomingHttpHeaders;
	/** Body as text. */
	rawBody: string;
	/** Body parsed from JSON or form encoding when it is one of those, else the text. */
	body: unknown;
}

export interface CaptureReply {
	status?: number;
	headers?: Record<string, string>;
	/** An object is sent as JSON; a string as is. */
	body?: unknown;
}

/** Returns the answer for a request, or undefined to fall back to the built-in service answers. */
export type CaptureHandler = (request: CapturedRequest) => CaptureReply | undefined | Promise<CaptureReply | undefined>;

export interface HttpsCapture {
	/** http://127.0.0.1:PORT — the value for HTTPS_PROXY and HTTP_PROXY. */
	proxyUrl: string;
	/** PEM file of the CA that signed every served certificate — the value for NODE_EXTRA_CA_CERTS. */
	caCertPath: string;
	requests: CapturedRequest[];
	/** Requests to one host, optionally only those whose path starts with pathPrefix. */
	requestsTo(host: string, pathPrefix?: string): CapturedRequest[];
	setHandler(handler: CaptureHandler | undefined): void;
	/** Environment for a process whose HTTP(S) traffic should go through the capture; noProxy adds hosts/ports to NO_PROXY. */
	proxyEnv(noProxy?: string[]): Record<string, string>;
	close(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
	try {
		execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
	} catch (error) {
		const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim().split('\n').at(-1);
		throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${stderr || (error as Error).message}`);
	}
}

function parseBody(raw: string, contentType: string | undefined): unknown {
	if (!raw) return undefined;
	if (contentType?.includes('json')) {
		try {
			return JSON.parse(raw);
		} catch {
			return raw;
		}
	}
	if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
	return raw;
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(++counter).toString(36).padStart(4, '0')}`;

/** Answers following each service's published API, for the calls n8n's Slack, Gmail and WhatsApp nodes make. */
export function defaultReply(request: CapturedRequest): CaptureReply {
	const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
	const urlPath = request.path.split('?')[0];
	if (request.host === 'slack.com' && urlPath === '/api/chat.postMessage') {
		const ts = `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
		return {
			body: {
				ok: true,
				channel: body.channel ?? 'C0000000000',
				ts,
				message: { type: 'message', subtype: 'bot_message', text: body.text ?? '', ts, bot_id: 'B0000000000' },
			},
		};
	}
	if (request.host === 'slack.com' && urlPath.startsWith('/api/')) {
		return { body: { ok: true } };
	}
	if (/^\/(gmail\/v1|upload\/gmail\/v1)\/users\/[^/]+\/messages\/send$/.test(urlPath)) {
		return { body: { id: nextId('18c'), threadId: nextId('18c'), labelIds: ['SENT'] } };
	}
	if (
		(request.host === 'oauth2.googleapis.com' && urlPath === '/token') ||
		(request.host === 'www.googleapis.com' && urlPath === '/oauth2/v4/token') ||
		(request.host === 'accounts.google.com' && urlPath === '/o/oauth2/token')
	) {
		return {
			body: {
				access_token: `ya29.${nextId('fake')}`,
				expires_in: 3599,
				token_type: 'Bearer',
				scope: 'https://www.googleapis.com/auth/gmail.send',
			},
		};
	}
	const whatsapp = /^\/v\d+(\.\d+)?\/([^/]+)\/messages$/.exec(urlPath);
	if (request.host === 'graph.facebook.com' && whatsapp && request.method === 'POST') {
		const to = String(body.to ?? '');
		return {
			body: {
				messaging_product: 'whatsapp',
				contacts: [{ input: to, wa_id: to.replace(/\D/g, '') }],
				messages: [{ id: `wamid.${Buffer.from(nextId('')).toString('base64')}` }],
			},
		};
	}
	return { status: 404, body: { error: `the capture has no answer for ${request.method} ${request.host}${request.path}` } };
}

export async function startHttpsCapture(options: { handler?: CaptureHandler } = {}): Promise<HttpsCapture> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'https-capture-'));
	// EC keys keep certificate making fast enough to do per host on first use.
	openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
	openssl(
		['req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=n8n-nodes-agentic test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
		dir,
	);
	openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key'], dir);
	const leafKey = fs.readFileSync(path.join(dir, 'leaf.key'));

	const contexts = new Map<string, tls.SecureContext>();
	const contextFor = (host: string): tls.SecureContext => {
		const known = contexts.get(host);
		if (known) return known;
		if (!/^[A-Za-z0-9.-]+$/.test(host)) throw new Error(`refusing to make a certificate for host ${JSON.stringify(host)}`);
		const name = `${contexts.size}-${host}`;
		fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
		openssl(['req', '-new', '-key', 'leaf.key', '-subj', `/CN=${host}`, '-out', `${name}.csr`], dir);
		openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
		const context = tls.createSecureContext({ key: leafKey, cert: fs.readFileSync(path.join(dir, `${name}.crt`)) });
		contexts.set(host, context);
		return context;
	};

	const requests: CapturedRequest[] = [];
	let handler = options.handler;

	const answer = async (req: http.IncomingMessage, res: http.ServerResponse, host: string, protocol: 'https' | 'http', requestPath: string) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const captured: CapturedRequest = {
			host,
			protocol,
			method: req.method ?? 'GET',
			path: requestPath,
			headers: req.headers,
			rawBody,
			body: parseBody(rawBody, req.headers['content-type']),
		};
		requests.push(captured);
		let reply: CaptureReply;
		try {
			reply = (await handler?.(captured)) ?? defaultReply(captured);
		} catch (error) {
			reply = { status: 500, body: { error: `capture handler failed: ${(error as Error).message}` } };
		}
		const isText = typeof reply.body === 'string';
		const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
		res.writeHead(reply.status ?? 200, {
			'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
			...reply.headers,
		});
		res.end(payload);
	};

	// Requests arriving inside a CONNECT tunnel, after TLS is terminated here.
	const tunnelled = http.createServer((req, res) => {
		const host = (req.socket as tls.TLSSocket & { captureHost?: string }).captureHost ?? String(req.headers.host ?? '');
		void answer(req, res, host, 'https', req.url ?? '/');
	});

	const proxy = http.createServer((req, res) => {
		// Plain-HTTP proxying sends the absolute URL in the request line.
		let url: URL;
		try {
			url = new URL(req.url ?? '', `http://${req.headers.host ?? 'localhost'}`);
		} catch {
			res.writeHead(400).end();
			return;
		}
		void answer(req, res, url.hostname, 'http', `${url.pathname}${url.search}`);
	});

	const sockets = new Set<Socket>();
	proxy.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	proxy.on('connect', (req: http.IncomingMessage, clientSocket: Socket, head: Buffer) => {
		const host = (req.url ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
		let secureContext: tls.SecureContext;
		try {
			secureContext = contextFor(host);
		} catch (error) {
			clientSocket.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${(error as Error).message}`);
			return;
		}
		clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length) clientSocket.unshift(head);
		const tlsSocket = new tls.TLSSocket(clientSocket, { isServer: true, secureContext }) as tls.TLSSocket & { captureHost?: string };
		tlsSocket.captureHost = host;
		tlsSocket.on('error', () => clientSocket.destroy());
		tunnelled.emit('connection', tlsSocket);
	});

	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const { port } = proxy.address() as AddressInfo;
	const proxyUrl = `http://127.0.0.1:${port}`;
	const caCertPath = path.join(dir, 'ca.crt');

	return {
		proxyUrl,
		caCertPath,
		requests,
		requestsTo: (host, pathPrefix = '') => requests.filter((r) => r.host === host && r.path.startsWith(pathPrefix)),
		setHandler: (next) => {
			handler = next;
		},
		proxyEnv: (noProxy = []) => ({
			HTTPS_PROXY: proxyUrl,
			HTTP_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			http_proxy: proxyUrl,
			NODE_EXTRA_CA_CERTS: caCertPath,
			NO_PROXY: ['localhost', '127.0.0.1', '::1', ...noProxy].join(','),
			no_proxy: ['localhost', '127.0.0.1', '::1', ...noProxy].join(','),
		}),
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
			tunnelled.close();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
