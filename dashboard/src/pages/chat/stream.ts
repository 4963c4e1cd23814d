/** Reading a Responses API answer as it arrives: `response.output_text.delta` pieces, then `response.completed`. */
import * as z from "zod/mini";
import { parseJson, readEvents } from "../../components/sse-read";

const usageSchema = z.object({ input_tokens: z.optional(z.number()), output_tokens: z.optional(z.number()) });
const errorSchema = z.object({ message: z.optional(z.string()) });
const responseSchema = z.object({
	id: z.optional(z.string()),
	usage: z.optional(z.nullable(usageSchema)),
	error: z.optional(z.nullable(errorSchema)),
	output: z.optional(z.array(z.object({ content: z.optional(z.array(z.object({ text: z.optional(z.string()) }))) }))),
});

/** The stream events the page reads; any other event (created, in_progress, part added…) adds nothing to show. */
const eventSchema = z.object({
	type: z.optional(z.string()),
	delta: z.optional(z.string()),
	response: z.optional(responseSchema),
	message: z.optional(z.string()),
	error: z.optional(z.catch(errorSchema, {})),
});

export type Usage = z.infer<typeof usageSchema>;

/** What the answer came to: the response's id (the turn's, once stored), its usage, or why it failed. */
export interface Outcome {
	responseId: string | null;
	usage: Usage | null;
	error: string | null;
}

/** Reads `res` to its end, handing each piece of text to `append` as it arrives (one call per network read). */
export async function readResponse(res: Response, append: (piece: string) => void): Promise<Outcome> {
	const outcome: Outcome = { responseId: null, usage: null, error: null };
	const finish = (r: z.infer<typeof responseSchema>) => {
		outcome.responseId = r.id ?? outcome.responseId;
		outcome.usage = r.usage ?? outcome.usage;
		if (r.error?.message) outcome.error = r.error.message;
	};
	if (!res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
		// A whole response (no stream after all): its output's text at once.
		const whole = responseSchema.safeParse(await res.json());
		if (whole.success) {
			append((whole.data.output ?? []).flatMap((o) => (o.content ?? []).map((c) => c.text ?? "")).join(""));
			finish(whole.data);
		}
		return outcome;
	}
	let piece = "";
	await readEvents(
		res.body,
		(data) => {
			const parsed = eventSchema.safeParse(parseJson(data));
			if (!parsed.success) return;
			const e = parsed.data;
			if (e.type === "response.output_text.delta" && e.delta) piece += e.delta;
			else if (e.response && (e.type === "response.completed" || e.type === "response.incomplete" || e.type === "response.failed")) finish(e.response);
			else if (e.type === "error") outcome.error = e.message ?? e.error?.message ?? "error";
			else if (e.response?.id) outcome.responseId = e.response.id;
		},
		() => {
			if (piece) append(piece);
			piece = "";
		},
	);
	return outcome;
}
