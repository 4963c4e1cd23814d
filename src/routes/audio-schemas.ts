import { z } from "zod";
import { SPEECH_FORMATS, TRANSCRIPT_FORMATS, TRANSLATION_FORMATS } from "../protocols/openai/audio";

/** OpenAI's own limit on an uploaded audio file; FILES_MAX_BYTES bounds it further. */
export const AUDIO_MAX_BYTES = 25 * 1024 * 1024;

const model = z.string().trim().min(1, "is required").max(200, "must be at most 200 characters");

/** POST /v1/audio/speech, as the openai package's SpeechCreateParams. */
export const speechRequest = z.looseObject({
	model,
	input: z.string().min(1, "must not be empty").max(4096, "must be at most 4096 characters"),
	voice: z.union([z.string().min(1), z.object({ id: z.string().min(1) })]),
	instructions: z.string().max(4096).optional(),
	response_format: z.enum(SPEECH_FORMATS).optional(),
	speed: z.number().min(0.25).max(4).optional(),
	stream_format: z.enum(["sse", "audio"]).optional(),
});

// A form's values are strings: numbers are read from them.
const formNumber = z.coerce.number().finite();

const serverVad = z.object({
	type: z.literal("server_vad"),
	prefix_padding_ms: formNumber.int().min(0).optional(),
	silence_duration_ms: formNumber.int().min(0).optional(),
	threshold: formNumber.min(0).max(1).optional(),
});

/** A file field, for the OpenAPI document (the route reads it from the form itself). */
const file = z.string().meta({ format: "binary", description: "The audio: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm, at most 25 MB" });

/**
 * POST /v1/audio/transcriptions' form fields besides `file`, as the openai package sends them: arrays as repeated
 * `name[]` fields, objects as `name[key]` (read into arrays and objects before this schema sees them).
 */
export const transcriptionForm = z.looseObject({
	model,
	language: z.string().max(32).optional(),
	prompt: z.string().max(10_000).optional(),
	response_format: z.enum(TRANSCRIPT_FORMATS).default("json"),
	temperature: formNumber.min(0).max(1).optional(),
	timestamp_granularities: z.array(z.enum(["word", "segment"])).optional(),
	include: z.array(z.enum(["logprobs"])).optional(),
	chunking_strategy: z.union([z.literal("auto"), serverVad]).optional(),
	stream: z.enum(["true", "false"]).optional(),
});

/** POST /v1/audio/translations' form fields besides `file`: the audio's speech in English. */
export const translationForm = z.looseObject({
	model,
	prompt: z.string().max(10_000).optional(),
	response_format: z.enum(TRANSLATION_FORMATS).default("json"),
	temperature: formNumber.min(0).max(1).optional(),
});

export const transcriptionUpload = transcriptionForm.extend({ file });
export const translationUpload = translationForm.extend({ file });

const segment = z.object({
	id: z.number(),
	seek: z.number(),
	start: z.number(),
	end: z.number(),
	text: z.string(),
	tokens: z.array(z.number()),
	temperature: z.number(),
	avg_logprob: z.number(),
	compression_ratio: z.number(),
	no_speech_prob: z.number(),
});

const usage = z.union([
	z.object({ type: z.literal("duration"), seconds: z.number() }),
	z.object({ type: z.literal("tokens"), input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }),
]);

/** The JSON answers (json, verbose_json); text, srt and vtt are plain text. */
export const transcriptionResponse = z.union([
	z.object({ text: z.string(), usage: usage.optional() }),
	z.object({
		task: z.enum(["transcribe", "translate"]),
		language: z.string(),
		duration: z.number(),
		text: z.string(),
		segments: z.array(segment).optional(),
		words: z.array(z.object({ word: z.string(), start: z.number(), end: z.number() })).optional(),
		usage: usage.optional(),
	}),
]);
