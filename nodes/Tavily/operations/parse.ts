// Turns the node's text fields into the engine's lists and drops "none" choices, so Tavily's defaults apply.
import type { IDataObject } from 'n8n-workflow';

/** "a.com, b.com" or one per line; an array from an expression is taken as is. */
export function commaList(value: unknown): string[] | undefined {
	return splitList(value, /[,\n]/);
}

/** One entry per line: regular expressions may contain commas. */
export function lineList(value: unknown): string[] | undefined {
	return splitList(value, /\r?\n/);
}

/** URLs separated by commas, spaces or new lines (a URL has none of them unescaped). */
export function urlList(value: unknown): string[] {
	return splitList(value, /[\s,]+/) ?? [];
}

function splitList(value: unknown, separator: RegExp): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	const parts = Array.isArray(value) ? value.map((entry) => String(entry)) : String(value).split(separator);
	const cleaned = parts.map((part) => part.trim()).filter((part) => part !== '');
	return cleaned.length === 0 ? undefined : cleaned;
}

export function choice<T extends string>(value: unknown): T | undefined {
	return value === undefined || value === '' || value === 'none' ? undefined : (value as T);
}

export function optionalText(options: IDataObject, name: string): string | undefined {
	const value = options[name];
	return value === undefined || value === null || value === '' ? undefined : String(value);
}

export function optionalNumber(options: IDataObject, name: string): number | undefined {
	const value = options[name];
	return value === undefined || value === null || value === '' ? undefined : Number(value);
}

export function optionalFlag(options: IDataObject, name: string): boolean | undefined {
	const value = options[name];
	return value === undefined ? undefined : Boolean(value);
}
