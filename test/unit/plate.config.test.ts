// The reader's plate config (fast-plate-ocr's flat YAML): what it gives the reader, and how a broken one is reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlatYaml, readPlateConfig } from '../../nodes/PlateDetector/vision/plateConfig';
import { requireFixtures } from '../helpers/fixtures';

const v2 = requireFixtures('the cct_xs_v2_global config test', ['models/cct_xs_v2_global_plate_config.yaml']);

describe('plate config', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'plate-config-'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));
	const file = (name: string, text: string) => {
		writeFileSync(join(dir, name), text);
		return join(dir, name);
	};

	v2.it('reads cct_xs_v2_global\'s published config: 10 slots, 37 characters, 128×64 RGB crops and 66 regions', () => {
		const config = readPlateConfig(v2.path('models/cct_xs_v2_global_plate_config.yaml'));
		expect(config).toMatchObject({ maxPlateSlots: 10, alphabet: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_', padChar: '_', imageHeight: 64, imageWidth: 128, imageColorMode: 'rgb' });
		expect(config.plateRegions).toHaveLength(66);
		expect(config.plateRegions.slice(0, 3)).toEqual(['Albania', 'Andorra', 'Argentina']);
		expect(config.plateRegions).toContain('Bosnia and Herzegovina');
		expect(config.plateRegions).toContain('Israel');
		expect(config.plateRegions[65]).toBe('Unknown');
	});

	it('reads quoted and bare scalars, numbers, and lists running over lines; skips comments', () => {
		const values = parseFlatYaml("# head\nslots: 7\nname: 'it''s'\nbare: rgb   # colour\nlist: [ 'a', \"b, c\",\n   d ]\nflag: true\n");
		expect(values).toEqual({ slots: 7, name: "it's", bare: 'rgb', list: ['a', 'b, c', 'd'], flag: true });
	});

	it('names the file and the missing key', () => {
		expect(() => readPlateConfig(file('no-alphabet.yaml', 'max_plate_slots: 9\npad_char: _\nimg_height: 64\nimg_width: 128\n'))).toThrow(/no-alphabet\.yaml has no "alphabet"/);
		expect(() => readPlateConfig(file('pad.yaml', "max_plate_slots: 9\nalphabet: 'AB'\npad_char: '_'\nimg_height: 64\nimg_width: 128\n"))).toThrow(
			/has no one-character "pad_char" that is part of its alphabet/,
		);
		expect(() => readPlateConfig(file('slots.yaml', "alphabet: 'AB_'\npad_char: '_'\nimg_height: 64\nimg_width: 128\n"))).toThrow(/has no positive whole number "max_plate_slots"/);
		expect(() => readPlateConfig(file('nested.yaml', 'a:\n  - b\n'))).toThrow(/could not be read: line 2 is not "key: value"/);
		expect(() => readPlateConfig(join(dir, 'absent.yaml'))).toThrow(/absent\.yaml could not be read/);
	});
});
