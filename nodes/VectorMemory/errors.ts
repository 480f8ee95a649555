// The one error for embeddings whose size differs from what a namespace (or a pgvector table) already holds.
import { AgenticError } from '../shared/errors';

/**
 * `holder` is what holds the vectors ("namespace \"faq\"", "table agentic_memory"); `elsewhere` is where else the user may
 * store them ("another namespace", "another Table Name").
 */
export function dimensionMismatch(got: number, have: number, holder = 'the namespace', elsewhere = 'another namespace', source?: string): AgenticError {
	const from = source ? ` from ${source}` : '';
	return new AgenticError('invalid_input', `Dimension mismatch: the embeddings${from} have ${got} dimensions but ${holder} holds vectors of ${have} dimensions`, {
		field: 'dimensions',
		description: `Use the embedding model (and Dimensions option) ${holder} was filled with (${have} dimensions), ${elsewhere}, or clear it first.`,
	});
}
