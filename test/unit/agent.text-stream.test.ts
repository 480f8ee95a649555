// Streamed words keep secrets out even when a secret arrives split across the model's pieces.
import { SecretSafeText } from '../../nodes/AgentBrain/engine/textStream';

describe('streamed text', () => {
	it('holds back what could be the start of a secret until it knows, and removes the secret', () => {
		const sent: string[] = [];
		const text = new SecretSafeText((piece) => sent.push(piece), ['sk-secret-123']);
		for (const piece of ['Your key is sk-', 'secr', 'et-123, and sk is ', 'a prefix.']) text.push(piece);
		text.flush();
		expect(sent.join('')).toBe('Your key is [redacted], and sk is a prefix.');
		expect(sent.some((piece) => piece.includes('secr'))).toBe(false);
		// Text that cannot start a secret goes out at once.
		expect(sent[0]).toBe('Your key is ');
	});

	it('sends a held-back tail when the model call ends', () => {
		const sent: string[] = [];
		const text = new SecretSafeText((piece) => sent.push(piece), ['sk-secret-123']);
		text.push('ends with sk');
		expect(sent).toEqual(['ends with ']);
		text.flush();
		expect(sent).toEqual(['ends with ', 'sk']);
	});
});
