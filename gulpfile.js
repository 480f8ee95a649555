// Copies what tsc does not emit into dist/: node and credential icons, codex *.node.json files, workflows.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

function copyCodex() {
	return src('nodes/**/*.node.json', { base: '.' }).pipe(dest('dist'));
}

function copyWorkflows() {
	return src('workflows/**/*.json', { base: '.', allowEmpty: true }).pipe(dest('dist'));
}

exports.build = parallel(copyIcons, copyCodex, copyWorkflows);
exports.default = exports.build;
