import { z } from "zod";

/** A JSON column read back from D1: the text, parsed; a text that is not JSON fails the row's schema. */
export const jsonText = z.string().transform((s, ctx) => {
	try {
		return JSON.parse(s) as unknown;
	} catch {
		ctx.addIssue({ code: "custom", message: "not JSON" });
		return z.NEVER;
	}
});
