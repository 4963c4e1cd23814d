import { z } from "zod";

/**
 * Objects and arrays nested deeper than this are refused before anything walks them: the codecs, JSON.stringify
 * and the JSON-Schema mappings recurse, and a body nested thousands deep would overflow the stack. Real requests
 * (tool schemas included) stay far below it.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Whether a JSON text nests objects and arrays deeper than `limit`; one pass over the text, no recursion, no parse. */
export function nestsDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		if (inString) {
			if (ch === BACKSLASH) i++;
			else if (ch === QUOTE) inString = false;
		} else if (ch === QUOTE) inString = true;
		else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
			if (++depth > limit) return true;
		} else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) depth--;
	}
	return false;
}

/** JSON.parse for texts from outside: undefined when the text is not JSON or nests deeper than `limit`. */
export function parseBoundedJson(text: string, limit = MAX_JSON_DEPTH): unknown {
	return nestsDeeperThan(text, limit) ? undefined : parseShallowRead(text);
}

/**
 * JSON.parse without the depth scan, for a text that nothing will walk deeply: read only by schemas that stop at
 * fields they know (JSON.parse itself does not recurse). Undefined when the text is not JSON.
 */
export function parseShallowRead(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

const jsonRecord = z.record(z.string(), z.unknown());

/** A JSON value as a record when it is an object (not an array); undefined for anything else. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
	const parsed = jsonRecord.safeParse(value);
	return parsed.success ? parsed.data : undefined;
}

/** A JSON text as a record when it is an object; undefined for any other value, malformed or too deep. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
	return asRecord(parseBoundedJson(text));
}
