import { z } from "zod";
import { audioLength } from "../../lib/audio-length";
import { type AudioTask, TRANSCRIPT_FORMATS, type Transcript, transcriptAnswer } from "../../protocols/openai/audio";

/**
 * Workers AI's Whisper models and MeloTTS, in OpenAI's shapes. `@cf/openai/whisper` (and whisper-tiny-en) take the
 * audio as an array of bytes and only transcribe; `@cf/openai/whisper-large-v3-turbo` takes it as base64 and can
 * translate (`task: "translate"`).
 */

/** A failure the caller caused (a model that cannot do what was asked): answered as OpenAI's 400. */
export class AudioRefusal extends Error {
	override readonly name = "AudioRefusal";
}

const takesBase64 = (model: string) => /whisper-large-v3-turbo/.test(model);

function base64(bytes: Uint8Array): string {
	let s = "";
	// Chunked: String.fromCharCode(...bytes) would overflow the stack on a large file.
	for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(s);
}

const transcriptionBody = z.looseObject({
	file: z.instanceof(Blob),
	language: z.string().optional(),
	prompt: z.string().optional(),
	response_format: z.enum(TRANSCRIPT_FORMATS).default("json"),
	timestamp_granularities: z.array(z.enum(["word", "segment"])).optional(),
});

type WhisperRequest = z.infer<typeof transcriptionBody>;

/** An OpenAI transcription body (its file read) as the Whisper model takes it. */
function whisperInputs(model: string, body: WhisperRequest, bytes: Uint8Array, task: AudioTask): Record<string, unknown> {
	if (!takesBase64(model)) {
		if (task === "translate") throw new AudioRefusal(`${model} only transcribes; translate with @cf/openai/whisper-large-v3-turbo`);
		return { audio: [...bytes] };
	}
	return {
		audio: base64(bytes),
		task,
		...(body.language ? { language: body.language } : {}),
		...(body.prompt ? { initial_prompt: body.prompt } : {}),
	};
}

const word = z.object({ word: z.string(), start: z.number(), end: z.number() });

/** What the Whisper models answer: `text` always; words, segments and the audio's duration by model. */
const whisperOutput = z.looseObject({
	text: z.string(),
	words: z.array(word).optional().catch(undefined),
	segments: z
		.array(z.looseObject({ start: z.number(), end: z.number(), text: z.string(), words: z.array(word).optional() }))
		.optional()
		.catch(undefined),
	transcription_info: z.looseObject({ language: z.string().optional(), duration: z.number().optional() }).optional().catch(undefined),
});

/** "en" as OpenAI's verbose_json says a language: "english". */
function languageName(code: string | undefined): string {
	if (!code) return "english";
	try {
		return new Intl.DisplayNames(["en"], { type: "language" }).of(code)?.toLowerCase() ?? code;
	} catch {
		return code;
	}
}

/** A Whisper answer as an OpenAI one in the format asked; a throw here is the channel's fault (it answered something else). */
function whisperAnswer(output: unknown, body: WhisperRequest, bytes: Uint8Array, task: AudioTask): { body: string; contentType: string } {
	const out = whisperOutput.parse(output);
	const words = out.words ?? out.segments?.flatMap((s) => s.words ?? []);
	const lastEnd = Math.max(0, ...(out.segments ?? []).map((s) => s.end), ...(words ?? []).map((w) => w.end));
	const seconds = out.transcription_info?.duration ?? (lastEnd || audioLength(bytes).seconds);
	const segments = out.segments?.length ? out.segments.map(({ start, end, text }) => ({ start, end, text })) : [{ start: 0, end: seconds, text: out.text }];
	const transcript: Transcript = {
		text: out.text.trim(),
		language: task === "translate" ? "english" : languageName(out.transcription_info?.language ?? body.language),
		seconds,
		segments,
		words,
	};
	return transcriptAnswer(transcript, { format: body.response_format, task, granularities: body.timestamp_granularities });
}

/** Transcription or translation through the binding, answered as OpenAI does. */
export async function whisper(
	run: (inputs: Record<string, unknown>) => Promise<unknown>,
	model: string,
	raw: Record<string, unknown>,
	task: AudioTask,
): Promise<Response> {
	const body = transcriptionBody.parse(raw);
	const bytes = new Uint8Array(await body.file.arrayBuffer());
	const answer = whisperAnswer(await run(whisperInputs(model, body, bytes, task)), body, bytes, task);
	return new Response(answer.body, { headers: { "content-type": answer.contentType } });
}

const speechBody = z.looseObject({ input: z.string(), response_format: z.string().default("mp3") });
const melottsOutput = z.looseObject({ audio: z.string() });

/** OpenAI speech as MeloTTS takes it (`@cf/myshell-ai/melotts`): the text as `prompt`, English; it answers MP3 only. */
export function melottsInputs(raw: Record<string, unknown>): Record<string, unknown> {
	const body = speechBody.parse(raw);
	if (body.response_format !== "mp3") throw new AudioRefusal(`Workers AI speech is mp3 only, not ${body.response_format}`);
	return { prompt: body.input, lang: "en" };
}

/** MeloTTS's answer (base64 MP3) as the audio bytes OpenAI answers with. */
export function melottsAnswer(output: unknown): Response {
	const bytes = Uint8Array.from(atob(melottsOutput.parse(output).audio), (ch) => ch.charCodeAt(0));
	return new Response(bytes, { headers: { "content-type": "audio/mpeg" } });
}
