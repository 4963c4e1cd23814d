import { z } from "zod";

/** Stream events nest a handful of levels; deeper than this is no event any dialect sends. */
export const MAX_EVENT_DEPTH = 64;

/**
 * Whether a JSON text nests objects and arrays deeper than `limit`, counted on the text without parsing it, so
 * that no later walk over the value (JSON.stringify of tool arguments) can run out of stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 92)
				i++; // a backslash escapes the next character
			else if (c === 34) inString = false;
		} else if (c === 34) inString = true;
		else if (c === 123 || c === 91) {
			if (++depth > limit) return true;
		} else if (c === 125 || c === 93) depth--;
	}
	return false;
}

/**
 * Whether an event's data is JSON at all. Every dialect's events are JSON (but OpenAI's `[DONE]`): one that is not was
 * cut or garbled on the way, and the stream is not what the upstream meant to send. Nothing walks the value here, so
 * JSON.parse (which does not recurse) needs no depth scan.
 */
export function isJson(data: string): boolean {
	try {
		JSON.parse(data);
		return true;
	} catch {
		return false;
	}
}

/** What the client is told when a stream ends at an event that could not be read. */
export const UNREADABLE_EVENT = "The upstream sent a stream event that could not be read; the response is incomplete";

/** An error reported mid-stream, as an object or (from some servers) a bare message; its fields are read where used. */
export const streamErrorSchema = z.union([
	z.object({ message: z.unknown(), code: z.unknown() }).partial(),
	z.string().transform((message) => ({ message, code: undefined })),
]);

/** One stream event's data read by its dialect's schema; undefined for anything else (not JSON, too deep, another shape). */
export function parseEvent<T>(schema: z.ZodType<T>, data: string): T | undefined {
	if (nestsDeeperThan(data, MAX_EVENT_DEPTH)) return undefined;
	let json: unknown;
	try {
		json = JSON.parse(data);
	} catch {
		return undefined;
	}
	const parsed = schema.safeParse(json);
	return parsed.success ? parsed.data : undefined;
}
