// A fast-plate-ocr model's plate config (its `*_plate_config.yaml`): alphabet, slots, crop size, pad character, regions.
import { readFileSync } from 'node:fs';
import { AgenticError } from '../../shared/errors';

export interface PlateConfig {
	/** How many character slots the model reads (its classification heads). */
	maxPlateSlots: number;
	/** The characters, in the order of each slot's probabilities. */
	alphabet: string;
	/** The character filling the slots after a plate's last one. */
	padChar: string;
	imageHeight: number;
	imageWidth: number;
	/** 'rgb' or 'grayscale'. */
	imageColorMode: string;
	/** The countries of the model's `region` output, in its order; empty when it has none. */
	plateRegions: string[];
}

type YamlValue = string | number | boolean | string[];

function scalar(raw: string): string {
	const text = raw.trim();
	const quoted = /^'(.*)'$/.exec(text) ?? /^"(.*)"$/.exec(text);
	return quoted ? quoted[1].replace(/''/g, "'") : text;
}

/** Splits a flow list's inside on commas outside quotes. */
function flowList(inside: string): string[] {
	const items: string[] = [];
	let current = '';
	let quote = '';
	for (const ch of inside) {
		if (quote) {
			if (ch === quote) quote = '';
			current += ch;
		} else if (ch === "'" || ch === '"') {
			quote = ch;
			current += ch;
		} else if (ch === ',') {
			items.push(current);
			current = '';
		} else current += ch;
	}
	items.push(current);
	return items.map(scalar).filter((item) => item.length > 0);
}

/**
 * The flat YAML these configs are: `key: value` lines, quoted or bare scalars, and `[ … ]` lists that may run over
 * several lines; comments and blank lines skipped. Nested maps and block lists are not part of the format.
 */
export function parseFlatYaml(text: string): Record<string, YamlValue> {
	const out: Record<string, YamlValue> = {};
	const lines = text.split(/\r?\n/);
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (/^\s*(#|$)/.test(line)) continue;
		const match = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
		if (!match) throw new Error(`line ${i + 1} is not "key: value"`);
		let value = match[2].replace(/\s+#.*$/, '');
		if (value.trim().startsWith('[')) {
			while (!value.includes(']') && i + 1 < lines.length) value += ` ${lines[++i].replace(/\s+#.*$/, '')}`;
			out[match[1]] = flowList(value.slice(value.indexOf('[') + 1, value.lastIndexOf(']')));
			continue;
		}
		const s = scalar(value);
		out[match[1]] = /^-?\d+$/.test(s) && s === value.trim() ? Number(s) : s === 'true' ? true : s === 'false' ? false : s;
	}
	return out;
}

function configError(path: string, why: string): AgenticError {
	return new AgenticError('invalid_input', `The OCR model config ${path} ${why}`, {
		field: 'OCR Config Path',
		description: 'Give the path of the fast-plate-ocr plate config (YAML) that was published with the OCR model.',
	});
}

/** Reads and checks a plate config file. */
export function readPlateConfig(path: string): PlateConfig {
	let values: Record<string, YamlValue>;
	try {
		values = parseFlatYaml(readFileSync(path, 'utf8'));
	} catch (error) {
		throw configError(path, `could not be read: ${(error as Error).message}`);
	}
	const number = (key: string) => {
		const v = values[key];
		if (typeof v !== 'number' || v <= 0) throw configError(path, `has no positive whole number "${key}"`);
		return v;
	};
	const alphabet = values.alphabet;
	const padChar = values.pad_char;
	if (typeof alphabet !== 'string' || alphabet.length === 0) throw configError(path, 'has no "alphabet"');
	if (typeof padChar !== 'string' || padChar.length !== 1 || !alphabet.includes(padChar)) {
		throw configError(path, 'has no one-character "pad_char" that is part of its alphabet');
	}
	const regions = values.plate_regions;
	return {
		maxPlateSlots: number('max_plate_slots'),
		alphabet,
		padChar,
		imageHeight: number('img_height'),
		imageWidth: number('img_width'),
		imageColorMode: typeof values.image_color_mode === 'string' ? values.image_color_mode : 'rgb',
		plateRegions: Array.isArray(regions) ? regions : [],
	};
}
