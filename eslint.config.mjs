// n8n's own community-node rules, as n8n's verification runs them for self-hosted packages.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', '.n8n-data/**', 'coverage/**', 'test/**', 'eslint.config.mjs', 'gulpfile.js', 'jest.config.js'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
	},
	n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
	{
		rules: {
			// The Plate Detector needs onnxruntime-node and sharp, and the Vector Memory node its embedded
			// database: native engines n8n does not ship. Each is installed without install scripts.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
