// A free loopback port for a test server to listen on.
import { createServer, type AddressInfo } from 'node:net';

/** A port that was free a moment ago (bound to port 0, then released), for a server to listen on. */
export async function freePort(): Promise<number> {
	const server = createServer();
	server.unref();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}
