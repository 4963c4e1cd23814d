import { z } from "zod";
import { tokenCount } from "../usage";

/** OpenAI's speech formats, and the content type each is answered with. */
export const SPEECH_FORMATS = ["mp3", "opus", "aac", "flac", "wav", "pcm"] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

export const SPEECH_CONTENT_TYPES: Readonly<Record<SpeechFormat, string>> = {
	mp3: "audio/mpeg",
	opus: "audio/opus",
	aac: "audio/aac",
	flac: "audio/flac",
	wav: "audio/wav",
	pcm: "audio/pcm",
};

/** Transcription formats (`diarized_json` is gpt-4o-transcribe-diarize's); translations take all but that one. */
export const TRANSCRIPT_FORMATS = ["json", "text", "srt", "verbose_json", "vtt", "diarized_json"] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];
export const TRANSLATION_FORMATS = ["json", "text", "srt", "verbose_json", "vtt"] as const;

/** The formats answered as JSON; the others are plain text. */
export const JSON_TRANSCRIPT_FORMATS: ReadonlySet<TranscriptFormat> = new Set(["json", "verbose_json", "diarized_json"]);

export type AudioTask = "transcribe" | "translate";

/** A transcript as a provider that is not OpenAI's makes it, before it is put in the format asked for. */
export interface Transcript {
	text: string;
	/** The language's name in English, lowercase, as OpenAI's verbose_json says it ("english"). */
	language: string;
	seconds: number;
	segments: { start: number; end: number; text: string }[];
	words?: { word: string; start: number; end: number }[] | undefined;
}

export interface TranscriptAsked {
	format: TranscriptFormat;
	task: AudioTask;
	/** `timestamp_granularities[]`: segments unless only words are asked for, as OpenAI does. */
	granularities?: readonly ("word" | "segment")[] | undefined;
}

const clock = (seconds: number, separator: "," | ".") => {
	const ms = Math.round(seconds * 1000);
	const pad = (n: number, width = 2) => String(n).padStart(width, "0");
	return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
};

const cues = (t: Transcript, separator: "," | ".", numbered: boolean) =>
	t.segments.map((s, i) => `${numbered ? `${i + 1}\n` : ""}${clock(s.start, separator)} --> ${clock(s.end, separator)}\n${s.text.trim()}\n\n`).join("");

/** OpenAI bills transcription by whole seconds and reports them so (`usage.seconds`). */
const billedSeconds = (t: Transcript) => Math.ceil(t.seconds);

function verbose(t: Transcript, asked: TranscriptAsked) {
	const granularities = asked.granularities?.length ? asked.granularities : ["segment"];
	const segments = t.segments.map((s, id) => ({
		id,
		seek: 0,
		start: s.start,
		end: s.end,
		text: s.text,
		tokens: [],
		temperature: 0,
		avg_logprob: 0,
		compression_ratio: 1,
		no_speech_prob: 0,
	}));
	return {
		task: asked.task,
		language: t.language,
		duration: t.seconds,
		text: t.text,
		...(granularities.includes("segment") ? { segments } : {}),
		...(granularities.includes("word") ? { words: t.words ?? [] } : {}),
		...(asked.task === "transcribe" ? { usage: { type: "duration", seconds: billedSeconds(t) } } : {}),
	};
}

/** A transcript in the response_format asked for: the body and its content type, as OpenAI answers it. */
export function transcriptAnswer(t: Transcript, asked: TranscriptAsked): { body: string; contentType: string } {
	const usage = { type: "duration", seconds: billedSeconds(t) };
	const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: "application/json" });
	const text = (body: string) => ({ body, contentType: "text/plain; charset=utf-8" });
	switch (asked.format) {
		case "json":
			return json(asked.task === "transcribe" ? { text: t.text, usage } : { text: t.text });
		case "verbose_json":
			return json(verbose(t, asked));
		case "diarized_json":
			return json({
				task: "transcribe",
				duration: t.seconds,
				text: t.text,
				segments: t.segments.map((s, i) => ({ type: "transcript.text.segment", id: `seg_${i}`, start: s.start, end: s.end, speaker: "A", text: s.text })),
				usage,
			});
		case "text":
			return text(`${t.text}\n`);
		case "srt":
			return text(cues(t, ",", true));
		case "vtt":
			return text(`WEBVTT\n\n${cues(t, ".", false)}`);
	}
}

const seconds = z.number().nonnegative().finite();

/** What the gateway reads of a JSON transcription answer: its text, and the duration or tokens it reports. */
const transcriptJson = z.looseObject({
	text: z.string(),
	duration: seconds.optional().catch(undefined),
	usage: z
		.union([
			z.looseObject({ type: z.literal("duration"), seconds }),
			z.looseObject({ type: z.literal("tokens"), input_tokens: z.unknown(), output_tokens: z.unknown() }),
		])
		.optional()
		.catch(undefined),
});

/** The duration and token counts a transcription answer reports, each absent when it does not. */
export interface TranscriptUsage {
	seconds?: number;
	tokens?: { input: number; output: number };
}

/**
 * Reads a JSON transcription answer (json, verbose_json, diarized_json) for what it reports: verbose_json's
 * `duration`, or `usage` of type `duration` (whisper-1) or `tokens` (gpt-4o-transcribe). Undefined for a body that
 * is not one.
 */
export function readTranscriptUsage(json: unknown): TranscriptUsage | undefined {
	const parsed = transcriptJson.safeParse(json);
	if (!parsed.success) return undefined;
	const { duration, usage } = parsed.data;
	const out: TranscriptUsage = {};
	if (usage?.type === "duration") out.seconds = usage.seconds;
	else if (duration !== undefined) out.seconds = duration;
	if (usage?.type === "tokens") out.tokens = { input: tokenCount(usage.input_tokens), output: tokenCount(usage.output_tokens) };
	return out;
}
