// n8n's own lint, as `n8n-node lint` runs it for a self-hosted community package (@n8n/node-cli's config:
// @n8n/eslint-plugin-community-nodes plus eslint-plugin-n8n-nodes-base's community, nodes and credentials rule sets).
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	{
		ignores: ['dist/**', 'node_modules/**', '.cache/**', '.n8n-data/**', 'coverage/**', 'test/**', '*.mjs', 'gulpfile.js', 'jest.config.js'],
	},
	...configWithoutCloudSupport,
	{
		rules: {
			// By design: the Plate Detector runs ONNX models on onnxruntime-node and decodes images with sharp, and Vector
			// Memory's pgvector backend speaks Postgres through pg. n8n ships none of these; each installs without install
			// scripts (n8n installs community packages with --ignore-scripts) and ships prebuilt binaries.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
