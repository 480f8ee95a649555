// `npm run bench -- <suite>`: runs test/bench/<suite>.bench.ts, which prints one JSON object per line, its summary last.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main() {
	const suites = readdirSync(__dirname)
		.filter((f) => f.endsWith('.bench.ts'))
		.map((f) => f.replace(/\.bench\.ts$/, ''));
	const suite = process.argv[2];
	if (!suite || !suites.includes(suite)) {
		console.error(`Usage: npm run bench -- <suite>   (suites: ${suites.join(', ') || 'none yet'})`);
		process.exit(2);
	}
	const file = join(__dirname, `${suite}.bench.ts`);
	if (!existsSync(file)) throw new Error(`No benchmark file ${file}`);
	const mod = (await import(file)) as { run: (args: string[]) => Promise<void> };
	await mod.run(process.argv.slice(3));
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
