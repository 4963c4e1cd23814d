import { z } from "zod";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A page position, opaque to clients: base64url of the JSON of the last row's sort key. */
export function encodeCursor(key: unknown): string {
	let s = "";
	for (const b of encoder.encode(JSON.stringify(key))) s += String.fromCharCode(b);
	return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string): unknown {
	const s = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
	return JSON.parse(decoder.decode(Uint8Array.from(s, (ch) => ch.charCodeAt(0))));
}

/** A `cursor` query parameter that decodes to `key`; anything not made by encodeCursor is a 400 naming `cursor`. */
export function cursorOf<T extends z.ZodType>(key: T) {
	return z
		.string()
		.max(1024)
		.transform((s, ctx): z.output<T> => {
			let decoded: unknown;
			try {
				decoded = decodeCursor(s);
			} catch {
				decoded = undefined;
			}
			const parsed = key.safeParse(decoded);
			if (parsed.success) return parsed.data;
			ctx.addIssue({ code: "custom", message: "not a cursor this API returned" });
			return z.NEVER;
		})
		.describe("The next_cursor of the previous page");
}

export function pageLimit(fallback: number, max: number) {
	return z.coerce.number().int().min(1).max(max).default(fallback);
}
