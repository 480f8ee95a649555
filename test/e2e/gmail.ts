// Gmail as the HTTPS capture sees it: n8n's Gmail OAuth2 credential for the tests, the messages n8n sent through Gmail's API, their MIME parts, and the Approve / Decline links of a send-and-wait email.
import type { HttpsCapture } from '../fakes/httpsCapture';
import type { CredentialSpec } from './harness';

/** n8n's Gmail OAuth2 credential with a token the capture accepts (no refresh happens: the token has not expired). */
export function gmailCredential(accessToken: string, name = 'Gmail account'): CredentialSpec {
	return {
		name,
		type: 'gmailOAuth2',
		data: {
			clientId: 'e2e-client.apps.googleusercontent.com',
			clientSecret: 'e2e-client-secret',
			oauthTokenData: { access_token: accessToken, refresh_token: '1//e2e-refresh', token_type: 'Bearer', expires_in: 3599, scope: 'https://www.googleapis.com/auth/gmail.send' },
		},
	};
}

/** Every message n8n sent through Gmail's `users.messages.send`. */
export function gmailSends(capture: HttpsCapture) {
	return capture.requests.filter((r) => /\/gmail\/v1\/users\/[^/]+\/messages\/send$/.test(r.path.split('?')[0]));
}

/** The top headers and the HTML part of a MIME message as Gmail's API receives it (`raw`, base64url), transfer encoding undone. */
export function mimeParts(raw: string): { headers: string; html: string } {
	const mime = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8').replace(/\r\n/g, '\n');
	const blocks = mime.split(/\n\n/);
	const at = blocks.findIndex((block) => /^Content-Type: text\/html/im.test(block));
	if (at < 0) throw new Error(`no HTML part in the email:\n${mime.slice(0, 500)}`);
	const body = blocks.slice(at + 1).join('\n\n').split(/\n--/)[0];
	let html = body;
	if (/^Content-Transfer-Encoding: quoted-printable/im.test(blocks[at])) {
		const bytes = body.replace(/=\n/g, '').replace(/%/g, '%25').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
		html = decodeURIComponent(bytes);
	} else if (/^Content-Transfer-Encoding: base64/im.test(blocks[at])) {
		html = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	}
	return { headers: blocks[0], html };
}

/** The Approve and Decline links of a send-and-wait email, pointed at `n8nUrl` (n8n writes its own base URL into them). */
export function approvalLinks(html: string, n8nUrl: string): { approve: string; decline: string } {
	const link = (approved: boolean) => {
		const href = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((url) => url.includes(`approved=${approved}`));
		if (!href) throw new Error(`the approval email has no approved=${approved} link:\n${html.slice(0, 800)}`);
		const url = new URL(href);
		return `${n8nUrl}${url.pathname}${url.search}`;
	};
	return { approve: link(true), decline: link(false) };
}
