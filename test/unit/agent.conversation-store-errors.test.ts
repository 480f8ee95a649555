// What Agent Brain says when its Postgres Conversation Store fails: the credential to fix, by the name the node is set to,
// never its password. (The same against a real Postgres that refuses a password: test/e2e/agent.conversation-store.test.ts.)
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { AgentBrain } from '../../nodes/AgentBrain/AgentBrain.node';
import { explainPostgresError } from '../../nodes/AgentBrain/engine/postgresConversationStore';
import { executeContext } from '../helpers/executeContext';

const refusedLogin = Object.assign(new Error('password authentication failed for user "guard"'), { code: '28P01' });

describe('Conversation Store errors', () => {
	it('a refused login names the credential to fix in the message, which is all n8n keeps under Continue On Fail', () => {
		const error = explainPostgresError(refusedLogin, { tableName: 'agentic_conversation_turns', credentialName: 'Conversation DB' });
		expect(error.kind).toBe('auth');
		expect(error.message).toBe('The Conversation Store (Postgres) refused the login of the "Conversation DB" credential: password authentication failed for user "guard"');
		expect(error.description).toBe('Check the user and password in the "Conversation DB" credential of the Conversation Store.');
	});

	it('without a credential name (the engine used outside n8n) names the Postgres credential type', () => {
		const error = explainPostgresError(refusedLogin, { tableName: 'agentic_conversation_turns' });
		expect(error.message).toMatch(/refused the login of the "Postgres" credential: password authentication failed/);
	});

	it('a missing database and a forbidden table name the credential and the table', () => {
		const noDb = explainPostgresError(Object.assign(new Error('database "chat" does not exist'), { code: '3D000' }), { tableName: 't', credentialName: 'Chat DB' });
		expect([noDb.kind, noDb.description]).toEqual(['invalid_input', 'Check the database in the "Chat DB" credential of the Conversation Store.']);
		const denied = explainPostgresError(Object.assign(new Error('permission denied for schema public'), { code: '42501' }), { tableName: 'guard_turns', credentialName: 'Chat DB' });
		expect(denied.message).toBe('The Conversation Store may not use the table "guard_turns": permission denied for schema public');
		expect(denied.description).toContain('the user of the "Chat DB" credential');
	});

	describe('through the node', () => {
		const PASSWORD = 'pg-unit-Secret-9d1e';
		const context = () =>
			executeContext({
				nodeType: new AgentBrain(),
				parameters: { task: 'hello', sessionId: 'desk-1', builtInTools: [], conversationStore: 'postgres' },
				credentials: {
					// Nothing listens on port 1: the store cannot be reached, before any model call.
					openAiCompatibleAgenticApi: { apiKey: 'sk-unit', baseUrl: 'http://127.0.0.1:1/v1', organization: '', extraHeaders: '{}' } as ICredentialDataDecryptedObject,
					postgres: { host: '127.0.0.1', port: 1, database: 'postgres', user: 'guard', password: PASSWORD, ssl: 'disable' } as ICredentialDataDecryptedObject,
				},
			});

		it('stops the execution naming the credential set on the node, with no password in it', async () => {
			const failure = await new AgentBrain().execute.call(context()).then(
				() => undefined,
				(error: Error & { description?: string }) => error,
			);
			expect(failure?.message).toBe('The Conversation Store (Postgres) could not be reached');
			// executeContext names each credential "Test <type>", as n8n gives the node the name the user chose.
			expect(failure?.description).toMatch(/Check the host, port and database in the "Test postgres" credential of the Conversation Store/);
			expect(JSON.stringify({ message: failure?.message, description: failure?.description })).not.toContain(PASSWORD);
		});
	});
});
