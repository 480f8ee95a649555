// The shared test fixtures (real ONNX models, labelled plate photos) beside the checkout: tests that need them skip,
// saying what is missing, where they are absent (a fresh clone) — and fail instead under CI, so CI never goes green by skipping.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/fixtures` beside the checkout: present in CI and on developer machines, never copied into the project. */
export const SHARED_FIXTURES = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');

/** The files the real-model plate tests use most, relative to SHARED_FIXTURES. */
export const PLATE_DETECTOR_MODEL = 'models/y5fu_320x_sim.onnx';
export const PLATE_OCR_MODEL = 'models/cct_xs_v1_global.onnx';
export const CAR_PHOTO = 'plates/misc/fast-alpr_test_image.png';

/** CI=true (or 1/yes), as CI services and .ci/run set it; CI=false or unset is a developer's run. */
export function runningInCi(env: NodeJS.ProcessEnv = process.env): boolean {
	return /^(true|1|yes)$/i.test(env.CI?.trim() ?? '');
}

type TestBody = jest.ProvidesCallback;

export interface RequiredFixtures {
	/** Whether every required file is there. */
	available: boolean;
	/** The required files that are not there, relative to the fixtures folder. */
	missing: string[];
	/** Why the tests did not run: names the missing files and where they were looked for. */
	message: string;
	/** An absolute path inside the fixtures folder. */
	path(relative: string): string;
	/** `describe` when the fixtures are there; otherwise skipped (or, under CI, one failing test naming the missing files). */
	describe(name: string, body: () => void): void;
	/** `it` when the fixtures are there; otherwise skipped (or, under CI, failing naming the missing files). */
	it(name: string, body: TestBody, timeout?: number): void;
}

export interface RequireFixturesOptions {
	/** The fixtures folder (default SHARED_FIXTURES). */
	root?: string;
	/** Whether this is a CI run (default runningInCi()). */
	ci?: boolean;
}

/**
 * The fixtures `files` (relative to the fixtures folder) that `purpose` ("the Plate Detector node tests") needs.
 * Tests declared through the result run, skip with a warning, or — under CI — fail with the same message.
 */
export function requireFixtures(purpose: string, files: string[], options: RequireFixturesOptions = {}): RequiredFixtures {
	const root = options.root ?? SHARED_FIXTURES;
	const ci = options.ci ?? runningInCi();
	const missing = files.filter((file) => !existsSync(join(root, file)));
	const available = missing.length === 0;
	const message = available
		? ''
		: `${purpose}: the shared fixture${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in ${root}` +
			(ci ? ' (CI must have them: a skipped suite is not a passed one)' : ' (present in CI and on developer machines; a fresh clone has none)');
	const fail = () => {
		throw new Error(message);
	};
	if (!available && !ci) console.warn(`Skipping ${message}`);

	return {
		available,
		missing,
		message,
		path: (relative) => join(root, relative),
		describe: (name, body) => {
			if (available) describe(name, body);
			else if (ci) describe(name, () => it('has the shared fixtures it needs', fail));
			else describe.skip(name, body);
		},
		it: (name, body, timeout) => {
			if (available) it(name, body, timeout);
			else if (ci) it(name, fail);
			else it.skip(name, body, timeout);
		},
	};
}
