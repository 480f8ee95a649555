// The native engines (onnxruntime-node, sharp) load on first use: importing the node loads neither, and a failed load says what to do.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { AgenticError } from '../../nodes/shared/errors';
import { loadEngine } from '../../nodes/PlateDetector/vision/engines';

const root = resolve(__dirname, '../..');

/** The native engines whose binaries a fresh Node process has loaded after running `script` (TypeScript through tsx). */
function enginesLoadedBy(script: string): string[] {
	// Every native addon goes through process.dlopen, whether its package was required or imported.
	const watch = `const seen = []; const dlopen = process.dlopen; process.dlopen = function (...args) { seen.push(args[1]); return dlopen.apply(this, args); };`;
	const report = `console.log(JSON.stringify([...new Set(seen.map((f) => /onnxruntime/.test(f) ? 'onnxruntime-node' : /sharp/.test(f) ? 'sharp' : undefined).filter(Boolean))]))`;
	const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', `${watch} (async () => { ${script}; ${report} })()`], { cwd: root, encoding: 'utf8' });
	return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('the plate engine\'s native engines', () => {
	it('are not loaded by importing the Plate Detector node or the plate engine', () => {
		expect(enginesLoadedBy(`require('./nodes/PlateDetector/PlateDetector.node.ts'); require('./nodes/PlateDetector/vision/index.ts')`)).toEqual([]);
	});

	it('are loaded when first used', () => {
		const used = `const e = require('./nodes/PlateDetector/vision/engines.ts'); await e.onnxRuntime(); await e.sharpImages()`;
		expect(enginesLoadedBy(used).sort()).toEqual(['onnxruntime-node', 'sharp']);
	});

	it('turn a failed load into an error naming the engine, what it is for and how to fix it', async () => {
		const error = await loadEngine('onnxruntime-node-missing-here', 'the ONNX runtime that runs the plate models').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(AgenticError);
		expect((error as AgenticError).message).toMatch(
			/^The plate engine could not load onnxruntime-node-missing-here \(the ONNX runtime that runs the plate models\): Cannot find module 'onnxruntime-node-missing-here'/,
		);
		expect((error as AgenticError).description).toContain('Reinstall the n8n-nodes-agentic package so that onnxruntime-node-missing-here');
	});
});
