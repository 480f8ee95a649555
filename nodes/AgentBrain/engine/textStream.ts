// The model's words on their way to a chat, secrets removed even when a secret arrives split across pieces.
import { redactSecrets } from '../../shared/errors';

export class SecretSafeText {
	private pending = '';

	private readonly secrets: string[];

	constructor(
		private readonly send: (text: string) => void,
		secrets: Array<string | undefined>,
	) {
		this.secrets = secrets.flatMap((secret) => (secret ? [secret, secret.trim()] : [])).filter((secret) => secret.length >= 4);
	}

	/** The length of the longest end of `text` that could be the start of a secret. */
	private heldBack(text: string): number {
		let held = 0;
		for (const secret of this.secrets) {
			for (let n = Math.min(secret.length - 1, text.length); n > held; n--) {
				if (text.endsWith(secret.slice(0, n))) {
					held = n;
					break;
				}
			}
		}
		return held;
	}

	push(text: string): void {
		const clean = redactSecrets(this.pending + text, this.secrets);
		const held = this.heldBack(clean);
		this.pending = clean.slice(clean.length - held);
		const ready = clean.slice(0, clean.length - held);
		if (ready) this.send(ready);
	}

	/** The end of a model call: what was held back goes out. */
	flush(): void {
		if (this.pending) this.send(this.pending);
		this.pending = '';
	}
}
