// OpenAI's audio endpoints for the loopback upstream (mock-upstream.ts): /<tag>/<scenario>/v1/audio/speech answers
// audio bytes (content type by response_format); /transcriptions and /translations read the multipart form and
// answer whisper-1's json (usage in seconds) or verbose_json, or text. The form is logged with its file as
// { name, type, size }. Scenarios: ok | tokens (json with gpt-4o-transcribe's token usage) | json-200 (speech
// answered with JSON, an error said with 200) | held (speech's first bytes, then nothing until the client goes:
// only a relay that streams can pass them on) | status-<code>.
import type { IncomingMessage, ServerResponse } from "node:http";

export const AUDIO_PATH = /^\/([^/]+)\/([^/]+)\/v1\/audio\/(speech|transcriptions|translations)$/;

const SPEECH_TYPES: Record<string, string> = {
	mp3: "audio/mpeg",
	wav: "audio/wav",
	pcm: "audio/pcm",
	opus: "audio/opus",
	aac: "audio/aac",
	flac: "audio/flac",
};

/** Reads the body as the fetch API would: JSON, or a multipart form with each value as logged. */
async function readAudioBody(req: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	for await (const part of req) chunks.push(part as Buffer);
	const raw = Buffer.concat(chunks);
	const type = req.headers["content-type"] ?? "";
	if (!type.startsWith("multipart/form-data")) return JSON.parse(raw.toString("utf8") || "{}");
	const form = await new Response(raw, { headers: { "content-type": type } }).formData();
	const body: Record<string, unknown> = {};
	for (const [name, value] of form) {
		const logged = typeof value === "string" ? value : { name: value.name, type: value.type, size: value.size };
		const prior = body[name];
		body[name] = prior === undefined ? logged : [...(Array.isArray(prior) ? prior : [prior]), logged];
	}
	return body;
}

export async function answerAudio(
	req: IncomingMessage,
	res: ServerResponse,
	match: RegExpExecArray,
	log: (tag: string, scenario: string, body: Record<string, unknown>) => void,
): Promise<void> {
	const [, tag = "", scenario = "", op = ""] = match;
	const body = await readAudioBody(req);
	log(tag, scenario, body);
	const status = /^status-(\d{3})$/.exec(scenario);
	if (status) {
		res.writeHead(Number(status[1]), { "content-type": "application/json" });
		res.end(JSON.stringify({ error: { message: `simulated ${status[1]}`, type: "upstream" } }));
		return;
	}
	if (op === "speech") {
		if (scenario === "json-200") {
			res.writeHead(200, { "content-type": "application/json" });
			res.end(JSON.stringify({ error: "not audio" }));
			return;
		}
		const format = typeof body.response_format === "string" ? body.response_format : "mp3";
		res.writeHead(200, { "content-type": SPEECH_TYPES[format] ?? "application/octet-stream" });
		// Two pieces, as a stream arrives.
		res.write(Buffer.from("upstream-audio-"));
		if (scenario === "held") return;
		res.end(Buffer.from(String(body.input ?? "")));
		return;
	}
	const format = typeof body.response_format === "string" ? body.response_format : "json";
	const text = op === "translations" ? "upstream translation" : "upstream transcript";
	if (format === "text") {
		res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
		res.end(`${text}\n`);
		return;
	}
	const answer =
		format === "verbose_json"
			? { task: op === "translations" ? "translate" : "transcribe", language: "english", duration: 7.5, text, segments: [] }
			: scenario === "tokens"
				? { text, usage: { type: "tokens", input_tokens: 40, output_tokens: 12, total_tokens: 52 } }
				: { text, usage: { type: "duration", seconds: 9 } };
	res.writeHead(200, { "content-type": "application/json" });
	res.end(JSON.stringify(answer));
}
