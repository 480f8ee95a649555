// Measures every function under nodes/ and credentials/ (lines from its first to its last), so rooms too big to live in show up.
// `npx tsx test/helpers/functionLengths.ts [limit]` prints those over the limit (default: the 15 longest).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface FunctionLength {
	file: string;
	name: string;
	lines: number;
}

function tsFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return tsFiles(full);
		return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
	});
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
	const named = node as ts.Node & { name?: ts.Node };
	if (named.name) return named.name.getText(source);
	const parent = node.parent;
	if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) {
		return parent.name.getText(source);
	}
	return '(anonymous)';
}

/** Every function-like body (declarations, methods, arrows, function expressions) in the given folders. */
export function functionLengths(folders: string[] = ['nodes', 'credentials']): FunctionLength[] {
	const found: FunctionLength[] = [];
	for (const file of folders.flatMap((folder) => tsFiles(path.join(REPO_ROOT, folder)))) {
		const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
		const visit = (node: ts.Node) => {
			if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
				const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
				const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
				found.push({ file: path.relative(REPO_ROOT, file), name: nameOf(node, source), lines: end - start + 1 });
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	return found.sort((a, b) => b.lines - a.lines);
}

if (require.main === module) {
	const limit = process.argv[2] ? Number(process.argv[2]) : undefined;
	const all = functionLengths();
	const shown = limit === undefined ? all.slice(0, 15) : all.filter((f) => f.lines > limit);
	for (const f of shown) console.log(`${String(f.lines).padStart(4)}  ${f.name}  ${f.file}`);
}
