import { z } from "zod";
import { audioLength } from "../../lib/audio-length";
import { pcmBytes, readWav, wavFile } from "../../lib/wav";
import { type AudioTask, SPEECH_CONTENT_TYPES, TRANSCRIPT_FORMATS, type Transcript, transcriptAnswer } from "../../protocols/openai/audio";

/** 16-bit mono at 8 kHz (OpenAI's pcm is 24 kHz): a third of the bytes, for uploads that stay small. */
export const MOCK_SAMPLE_RATE = 8_000;
/** How long the mock speaks: 60 ms a character, at least half a second, at most five. */
const secondsFor = (input: string) => Math.min(5, Math.max(0.5, input.length * 0.06));

/** The comment the mock's WAVs carry, before the text they speak: its transcription reads it back. */
const SPOKEN = "edge-gateway mock speech: ";

const refuse = (message: string, param?: string) =>
	Response.json({ error: { message, type: "invalid_request_error", param: param ?? null, code: null } }, { status: 400 });

/** A 440 Hz tone at a third of full scale, as long as the input would take to say. */
function tone(input: string): Int16Array {
	const samples = new Int16Array(Math.round(secondsFor(input) * MOCK_SAMPLE_RATE));
	for (let i = 0; i < samples.length; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * 440 * i) / MOCK_SAMPLE_RATE) * 10_000);
	return samples;
}

/**
 * One silent MPEG-1 Layer III frame: 48 kHz, 32 kbit/s, mono, no CRC, no padding, so 144 × 32000 / 48000 = 96
 * bytes holding 1,152 samples (24 ms). Header FF FB 14 C4: sync (11 ones), version 11 (MPEG-1), layer 01
 * (III), protection 1 (none); bitrate index 0001 (32), sample rate 01 (48 kHz), padding 0, private 0; channel
 * mode 11 (mono), mode extension 00, copyright 0, original 1, emphasis 00. The 17 bytes of side info are zero
 * (main_data_begin 0, part2_3_length 0: no coded data), so every granule decodes to silence.
 */
export const MP3_FRAME = (() => {
	const frame = new Uint8Array(96);
	frame.set([0xff, 0xfb, 0x14, 0xc4]);
	return frame;
})();
const MP3_FRAME_SECONDS = 1152 / 48_000;

function mp3(input: string): Uint8Array {
	const frames = Math.ceil(secondsFor(input) / MP3_FRAME_SECONDS);
	const out = new Uint8Array(frames * MP3_FRAME.length);
	for (let i = 0; i < frames; i++) out.set(MP3_FRAME, i * MP3_FRAME.length);
	return out;
}

/** The bytes in 4 KiB pieces, as an upstream streams audio. */
function streamed(bytes: Uint8Array): ReadableStream<Uint8Array> {
	let at = 0;
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (at >= bytes.length) return controller.close();
			controller.enqueue(bytes.slice(at, at + 4096));
			at += 4096;
		},
	});
}

const speechBody = z.looseObject({
	input: z.string(),
	response_format: z.enum(["mp3", "opus", "aac", "flac", "wav", "pcm"]).default("mp3"),
	stream_format: z.enum(["sse", "audio"]).optional(),
});

/**
 * Speech: a tone as long as the text would take to say, as WAV (the text kept in its `ICMT` comment, so that the
 * mock's transcription can read it back), raw PCM, or silent MP3 frames. It does not encode opus, aac or flac.
 */
export function mockSpeech(body: Record<string, unknown>): Response {
	const parsed = speechBody.safeParse(body);
	if (!parsed.success) return refuse("input (a string) is required, and response_format one of OpenAI's");
	const { input, response_format: format, stream_format } = parsed.data;
	if (stream_format === "sse") return refuse("The mock channel streams speech as audio bytes only (stream_format 'audio')", "stream_format");
	if (format !== "wav" && format !== "pcm" && format !== "mp3") {
		return refuse(`The mock channel speaks mp3, wav and pcm, not ${format}`, "response_format");
	}
	const bytes = format === "mp3" ? mp3(input) : format === "pcm" ? pcmBytes(tone(input)) : wavFile(tone(input), MOCK_SAMPLE_RATE, SPOKEN + input);
	return new Response(streamed(bytes), { headers: { "content-type": SPEECH_CONTENT_TYPES[format], "content-length": String(bytes.length) } });
}

const transcriptionBody = z.looseObject({
	file: z.instanceof(Blob),
	response_format: z.enum(TRANSCRIPT_FORMATS).default("json"),
	timestamp_granularities: z.array(z.enum(["word", "segment"])).optional(),
	stream: z.unknown().optional(),
});

/** Words spread evenly over the audio. */
function wordsOf(text: string, seconds: number): Transcript["words"] {
	const words = text.split(/\s+/).filter(Boolean);
	const each = words.length ? seconds / words.length : 0;
	return words.map((word, i) => ({ word, start: i * each, end: (i + 1) * each }));
}

/**
 * Transcription and translation: the mock's own speech is heard as the text it spoke; any other audio as a
 * sentence saying how long it was. The translation is the same text (the mock speaks English only).
 */
export async function mockTranscription(body: Record<string, unknown>, task: AudioTask): Promise<Response> {
	const parsed = transcriptionBody.safeParse(body);
	if (!parsed.success) return refuse("file (an audio file) is required, and response_format one of OpenAI's");
	const { file, response_format: format, timestamp_granularities: granularities, stream } = parsed.data;
	if (stream === true || stream === "true") return refuse("The mock channel does not stream transcriptions", "stream");
	const bytes = new Uint8Array(await file.arrayBuffer());
	const { seconds } = audioLength(bytes);
	const comment = readWav(bytes)?.comment;
	const heard = comment?.startsWith(SPOKEN)
		? comment.slice(SPOKEN.length)
		: `mock ${task === "transcribe" ? "transcript" : "translation"} of ${seconds.toFixed(1)} seconds of audio`;
	const transcript: Transcript = {
		text: heard,
		language: "english",
		seconds,
		segments: [{ start: 0, end: seconds, text: heard }],
		words: wordsOf(heard, seconds),
	};
	const answer = transcriptAnswer(transcript, { format, task, granularities });
	return new Response(answer.body, { headers: { "content-type": answer.contentType } });
}
