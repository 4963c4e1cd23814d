import { audioLength } from "../lib/audio-length";
import {
	JSON_TRANSCRIPT_FORMATS,
	readTranscriptUsage,
	SPEECH_CONTENT_TYPES,
	type SpeechFormat,
	type TranscriptFormat,
	type TranscriptUsage,
} from "../protocols/openai/audio";
import { tokensForChars, type Usage } from "../protocols/usage";
import { UnreadableAnswer } from "../providers/types";
import { dispatch } from "./dispatch";
import { jsonObject, textOf } from "./read-answer";
import { answered, type RelayRequest } from "./request";

/** A speech request as validated: OpenAI's body, passed on as it is. */
export interface SpeechCall {
	body: Record<string, unknown> & { model: string; input: string };
	format: SpeechFormat;
	/** `stream_format: "sse"`: the upstream answers audio deltas as server-sent events. */
	sse: boolean;
}

/** A transcription or translation: the uploaded file and the form's other fields, as a channel receives them. */
export interface TranscriptionCall {
	op: "transcriptions" | "translations";
	model: string;
	file: File;
	/** The form's fields besides `file` and `model` (arrays under their names without `[]`; see formOf). */
	fields: Record<string, string | string[]>;
	format: TranscriptFormat;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json/i;

/** Speech is metered by the characters of its input, counted as Unicode code points (an emoji is one, not two). */
const speechCharacters = (input: string) => [...input].length;

/** A record for an answer priced by units, sent at once: its counts are known before the body is delivered. */
function recordUnits(req: RelayRequest, usage: Usage, estimated: boolean): void {
	const { meter } = req;
	req.waitUntil(meter.record({ status: 200, usage, estimated, ttfbMs: Date.now() - meter.startedAt }));
	meter.deferred = true;
}

/**
 * Reads a speech answer as FailoverInput.read without reading its body: an answer with no body, or a JSON one
 * (an error said with 200), fails over; the audio itself goes to the client as it arrives, never buffered.
 */
function speechReader(call: SpeechCall) {
	return async (upstream: Response): Promise<{ body: ReadableStream<Uint8Array>; contentType: string }> => {
		const type = upstream.headers.get("content-type") ?? "";
		if (!upstream.body) throw new UnreadableAnswer("it sent no audio");
		if (JSON_TYPE.test(type)) throw new UnreadableAnswer("it answered JSON, not audio");
		if (!call.sse && type.includes("text/event-stream")) throw new UnreadableAnswer("it answered events, not audio bytes");
		return { body: upstream.body, contentType: type || (call.sse ? "text/event-stream" : SPEECH_CONTENT_TYPES[call.format]) };
	};
}

/**
 * Speech through the channels that serve the model: the upstream's audio streamed straight through. Priced per
 * character of input; the record is written when the answer starts, not when the audio ends, since the count is
 * the input's and the upstream bills the synthesis whether or not the client hears all of it.
 */
export async function relaySpeech(req: RelayRequest, call: SpeechCall): Promise<Response> {
	const { body } = call;
	const done = await dispatch(req, {
		op: "speech",
		model: body.model,
		stream: false,
		bodyFor: () => ({ ...body }),
		estimate: () => ({ promptTokens: tokensForChars(body.input.length), outputTokens: 0, units: { name: "character", count: speechCharacters(body.input) } }),
		read: speechReader(call),
	});
	const units = { name: "character", count: speechCharacters(body.input) };
	recordUnits(req, { promptTokens: 0, completionTokens: 0, cachedTokens: 0, units }, false);
	return answered(req, done.answer.body, { "content-type": done.answer.contentType });
}

interface TranscriptAnswer {
	text: string;
	contentType: string;
	usage: TranscriptUsage;
}

/** Reads a transcription answer as FailoverInput.read: a JSON format must be a JSON object with its `text`. */
function transcriptReader(format: TranscriptFormat) {
	return async (upstream: Response): Promise<TranscriptAnswer> => {
		const text = await textOf(upstream);
		const type = upstream.headers.get("content-type");
		if (!JSON_TRANSCRIPT_FORMATS.has(format)) return { text, contentType: type ?? "text/plain; charset=utf-8", usage: {} };
		const usage = readTranscriptUsage(jsonObject(text, false));
		if (!usage) throw new UnreadableAnswer("it is not a transcription");
		return { text, contentType: type ?? "application/json", usage };
	};
}

/**
 * Transcription or translation: the form relayed as a form, the answer in the format asked for, passed through.
 * Priced per second of audio: the duration the upstream reports (verbose_json's `duration`, `usage.seconds`), else
 * the file's own (exact for WAV; estimated for other formats, and the record marked so); tokens besides when the
 * upstream reports them (gpt-4o-transcribe), for a model priced by tokens.
 */
export async function relayTranscription(req: RelayRequest, call: TranscriptionCall): Promise<Response> {
	const fileLength = async () => audioLength(new Uint8Array(await call.file.arrayBuffer()));
	// A key with limits holds the file's seconds before the call; only then is the file measured up front.
	const held = req.caller.governed.length > 0 ? await fileLength() : undefined;
	const done = await dispatch(req, {
		op: call.op,
		model: call.model,
		stream: false,
		bodyFor: () => ({ ...call.fields, file: call.file }),
		estimate: () => ({ promptTokens: 0, outputTokens: 0, units: held && { name: "audio_second", count: held.seconds } }),
		read: transcriptReader(call.format),
	});
	const { usage } = done.answer;
	const measured = usage.seconds === undefined ? (held ?? (await fileLength())) : undefined;
	const seconds = usage.seconds ?? measured?.seconds ?? 0;
	recordUnits(
		req,
		{ promptTokens: usage.tokens?.input ?? 0, completionTokens: usage.tokens?.output ?? 0, cachedTokens: 0, units: { name: "audio_second", count: seconds } },
		measured !== undefined && !measured.exact,
	);
	return answered(req, done.answer.text, { "content-type": done.answer.contentType });
}
