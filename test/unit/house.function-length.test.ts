// No function under nodes/ or credentials/ grows past 80 lines, except the description tables and the zod-to-JSON-Schema switch.
import { functionLengths } from '../helpers/functionLengths';

const LIMIT = 80;
/** Long by nature: one option table, and one branch per zod type. */
const EXEMPT = new Set(['nodes/Tavily/descriptions/siteOptions.ts:siteOptions', 'nodes/AgentBrain/engine/schema.ts:fromZod3', 'nodes/AgentBrain/engine/schema.ts:fromZod4']);

it(`keeps every function under nodes/ and credentials/ within ${LIMIT} lines`, () => {
	const all = functionLengths();
	expect(all.length).toBeGreaterThan(100);
	const over = all.filter((f) => f.lines > LIMIT && !EXEMPT.has(`${f.file}:${f.name}`)).map((f) => `${f.file}:${f.name} (${f.lines} lines)`);
	expect(over).toEqual([]);
});
