// Engine errors become n8n's node errors: the right class, the how-to-fix description, no secrets.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { AgenticError } from '../../nodes/shared/errors';
import { errorItem, toNodeError } from '../../nodes/shared/nodeErrors';
import { executeContext } from '../helpers/executeContext';

const ctx = executeContext();
const node = ctx.getNode();

describe('toNodeError', () => {
	it('makes a refused key a NodeApiError that names the credential and hides the key', () => {
		const error = toNodeError(ctx, new AgenticError('auth', 'Example refused the API key sk-abcdef (HTTP 401)', { httpStatus: 401, description: 'Check the "Example API" credential.' }), 2, ['sk-abcdef']);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Example refused the API key [redacted] (HTTP 401)');
		expect(error.description).toBe('Check the "Example API" credential.');
		expect((error as NodeApiError).httpCode).toBe('401');
	});

	it('makes input mistakes a NodeOperationError with the how-to-fix description', () => {
		const error = toNodeError(ctx, new AgenticError('invalid_input', 'Query is empty', { field: 'query', description: 'Type a question.' }), 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Query is empty');
		expect(error.description).toBe('Type a question.');
	});

	it('keeps the service name in the message when the network refused the connection', () => {
		const error = toNodeError(ctx, new AgenticError('upstream', 'Qdrant could not be reached: connect ECONNREFUSED 127.0.0.1:1', { description: 'Check the URL.' }), 0);
		expect(error.message).toBe('Qdrant could not be reached');
		expect(error.description).toBe('connect ECONNREFUSED 127.0.0.1:1. Check the URL.');
	});

	it('wraps unknown errors without leaking secrets', () => {
		const error = toNodeError(ctx, new Error('boom with key tvly-secret'), 0, ['tvly-secret']);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('boom with key [redacted]');
	});

	it('hides a key that the credential holds with spaces or a newline around it', () => {
		const error = toNodeError(ctx, new AgenticError('upstream', 'Example echoed Bearer tvly-secret-key back'), 0, ['  tvly-secret-key\n']);
		expect(error.message).toBe('Example echoed Bearer [redacted] back');
	});
});

describe('errorItem', () => {
	it('carries the error on the item so n8n can route it to the error output', () => {
		const nodeError = new NodeOperationError(node, 'Bad image', { description: 'Send a JPEG.' });
		const item = errorItem(nodeError, 3);
		expect(item.json).toEqual({ error: 'Bad image', errorDescription: 'Send a JPEG.' });
		expect(item.error).toBe(nodeError);
		expect(item.pairedItem).toEqual({ item: 3 });
		expect(errorItem(nodeError, [1, 2]).pairedItem).toEqual([{ item: 1 }, { item: 2 }]);
	});
});
