/** Reading a chat completion's answer as it arrives: server-sent events, or a whole JSON completion. */

export interface Usage {
	prompt_tokens?: number;
	completion_tokens?: number;
}

/** A chunk of a stream, or a whole completion: the text is in `delta` or `message`, an error or the usage on its own. */
export interface Chunk {
	choices?: { delta?: { content?: string | null }; message?: { content?: string | null } }[];
	usage?: Usage | null;
	error?: { message?: string; code?: string | null };
}

/** Reads `res` to its end: `take` reads each chunk and answers the text it adds, which goes to `append`. */
export async function readCompletion(res: Response, take: (chunk: Chunk) => string, append: (piece: string) => void): Promise<void> {
	if (!res.body || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
		// Not a stream after all (a JSON completion): show it whole.
		append(take((await res.json()) as Chunk));
		return;
	}
	const reader = res.body.getReader();
	const decoder = new TextDecoder();
	let buffer = "";
	const lines = (final: boolean) => {
		let piece = "";
		let nl = buffer.indexOf("\n");
		while (nl >= 0 || (final && buffer)) {
			const line = (nl >= 0 ? buffer.slice(0, nl) : buffer).replace(/\r$/, "");
			buffer = nl >= 0 ? buffer.slice(nl + 1) : "";
			if (line.startsWith("data:")) {
				const data = line.slice(5).trim();
				if (data && data !== "[DONE]") {
					try {
						piece += take(JSON.parse(data) as Chunk);
					} catch {
						// A line that is not JSON is not ours to show.
					}
				}
			}
			nl = buffer.indexOf("\n");
		}
		// One update per network read, however many events it carried.
		append(piece);
	};
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		buffer += decoder.decode(value, { stream: true });
		lines(false);
	}
	buffer += decoder.decode();
	lines(true);
}
