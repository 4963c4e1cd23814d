/** Reading a chat completion's answer as it arrives: server-sent events, or a whole JSON completion. */
import * as z from "zod/mini";
import { parseJson, readEvents } from "../../components/sse-read";

const usageSchema = z.object({ prompt_tokens: z.optional(z.number()), completion_tokens: z.optional(z.number()) });

const content = z.object({ content: z.optional(z.nullable(z.string())) });

/** A chunk of a stream, or a whole completion: the text is in `delta` or `message`, an error or the usage on its own. */
const chunkSchema = z.object({
	choices: z.optional(z.array(z.object({ delta: z.optional(content), message: z.optional(content) }))),
	usage: z.optional(z.nullable(usageSchema)),
	// An error of any shape is still an error to show, if only as "unknown".
	error: z.optional(z.catch(z.object({ message: z.optional(z.string()) }), {})),
});

export type Usage = z.infer<typeof usageSchema>;
export type Chunk = z.infer<typeof chunkSchema>;

/** A chunk read from JSON text or a parsed body; anything of another shape is no chunk. */
function chunkOf(json: unknown): Chunk | undefined {
	const parsed = chunkSchema.safeParse(json);
	return parsed.success ? parsed.data : undefined;
}

/** Reads `res` to its end: `take` reads each chunk and answers the text it adds, which goes to `append`. */
export async function readCompletion(res: Response, take: (chunk: Chunk) => string, append: (piece: string) => void): Promise<void> {
	if (!res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
		// Not a stream after all (a JSON completion): show it whole.
		const chunk = chunkOf(await res.json());
		if (chunk) append(take(chunk));
		return;
	}
	let piece = "";
	await readEvents(
		res.body,
		(data) => {
			// An event that is not a chunk (`[DONE]`, anything else) is not ours to show.
			const chunk = data === "[DONE]" ? undefined : chunkOf(parseJson(data));
			if (chunk) piece += take(chunk);
		},
		() => {
			append(piece);
			piece = "";
		},
	);
}
