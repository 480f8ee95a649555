// Grounding: which URLs an answer cites, and whether a tool result really returned each of them.

const URL_PATTERN = /https?:\/\/[^\s<>"'`\]\\)}]+/giu;

/** Trailing punctuation belongs to the sentence, not the URL; a lone ")" closes a markdown link. */
function trimUrl(url: string): string {
	return url.replace(/[.,;:!?*_~]+$/u, '');
}

export function extractUrls(text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(URL_PATTERN)) {
		const url = trimUrl(match[0]);
		if (url.length > 'https://'.length && !found.includes(url)) found.push(url);
	}
	return found;
}

/** Two spellings of one page compare equal: case of the host, a trailing slash, a #fragment. */
function normalizeUrl(url: string): string {
	try {
		const u = new URL(url);
		u.hash = '';
		let text = u.toString();
		if (text.endsWith('/')) text = text.slice(0, -1);
		return text;
	} catch {
		return url.replace(/#.*$/, '').replace(/\/$/, '');
	}
}

export interface CitationCheck {
	citations: string[];
	unverifiedCitations: string[];
}

/** Splits the answer's URLs into those some tool result contained and the rest (which the model made up or misremembered). */
export function checkCitations(answer: string, sources: Iterable<string>): CitationCheck {
	const known = new Set<string>();
	for (const source of sources) known.add(normalizeUrl(source));
	const citations: string[] = [];
	const unverifiedCitations: string[] = [];
	for (const url of extractUrls(answer)) {
		(known.has(normalizeUrl(url)) ? citations : unverifiedCitations).push(url);
	}
	return { citations, unverifiedCitations };
}
