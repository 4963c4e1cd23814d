import { type Context, Hono } from "hono";
import type { z } from "zod";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { describeIssues } from "../lib/zod-issue";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { SPEECH_CONTENT_TYPES } from "../protocols/openai/audio";
import { relaySpeech, relayTranscription, type TranscriptionCall } from "../relay/audio";
import {
	AUDIO_MAX_BYTES,
	speechRequest,
	transcriptionForm,
	transcriptionResponse,
	transcriptionUpload,
	translationForm,
	translationUpload,
} from "./audio-schemas";
import { readForm } from "./shared/multipart-upload";
import { relayed } from "./shared/relayed";

type Fields = Record<string, string | string[]>;

/**
 * A form's text fields, twice: as the schema reads them (`name[]` gathered into an array, `name[key]` into an
 * object, as the openai package encodes them) and as a channel is sent them (arrays under their bare name, which
 * formOf sends as `name[]` again; `name[key]` as it came). `file` and `model` are the relay's to place.
 */
function formFields(form: FormData): { shape: Record<string, unknown>; fields: Fields } {
	const lists = new Map<string, string[]>();
	const objects = new Map<string, Map<string, string>>();
	const plain = new Map<string, string>();
	const fields: [string, string | string[]][] = [];
	for (const [name, value] of form) {
		if (typeof value !== "string") continue;
		const list = /^(\w+)\[\]$/.exec(name)?.[1];
		const keyed = /^(\w+)\[(\w+)\]$/.exec(name);
		if (list !== undefined) lists.set(list, [...(lists.get(list) ?? []), value]);
		else if (keyed?.[1] !== undefined && keyed[2] !== undefined) objects.set(keyed[1], (objects.get(keyed[1]) ?? new Map()).set(keyed[2], value));
		else plain.set(name, value);
		if (list === undefined && name !== "model" && name !== "file") fields.push([name, value]);
	}
	// Built with fromEntries, which defines own properties: a field named `__proto__` stays a field.
	const shape = Object.fromEntries([...plain, ...[...objects].map(([name, o]) => [name, Object.fromEntries(o)] as const), ...lists]);
	return { shape, fields: Object.fromEntries([...fields, ...lists]) };
}

const invalid = (error: z.ZodError) => {
	const { message, param } = describeIssues(error.issues);
	return new GatewayError("invalid_request", message, { param });
};

/** Reads and checks a transcription or translation form: the file within OpenAI's 25 MB (and FILES_MAX_BYTES). */
async function transcriptionCall(c: Context<AppEnv>, op: TranscriptionCall["op"]): Promise<TranscriptionCall> {
	const maxBytes = Math.min(AUDIO_MAX_BYTES, config(c.env).filesMaxBytes);
	const { form, file } = await readForm(c, maxBytes, "'file' and 'model'");
	const { shape, fields } = formFields(form);
	if (op === "translations") {
		const parsed = translationForm.safeParse(shape);
		if (!parsed.success) throw invalid(parsed.error);
		return { op, model: parsed.data.model, file, fields, format: parsed.data.response_format };
	}
	const parsed = transcriptionForm.safeParse(shape);
	if (!parsed.success) throw invalid(parsed.error);
	if (parsed.data.stream === "true") {
		throw new GatewayError("invalid_request", "Streamed transcriptions (stream=true) are not supported by this gateway; ask without 'stream'", {
			param: "stream",
		});
	}
	return { op, model: parsed.data.model, file, fields, format: parsed.data.response_format };
}

/**
 * OpenAI's audio endpoints, mounted at /v1/audio. The uploads are not under the JSON body limit (MAX_BODY_BYTES):
 * readForm bounds them by the file limit instead.
 */
export const audioRoutes = new Hono<AppEnv>()
	.post("/speech", usageMeter(), callerAuth(), bodyLimit(), valid("json", speechRequest), (c) => {
		const body = c.req.valid("json");
		const format = body.response_format ?? "mp3";
		return relayed(c, (req) => relaySpeech(req, { body, format, sse: body.stream_format === "sse" }));
	})
	.post("/transcriptions", usageMeter(), callerAuth(), async (c) => {
		const call = await transcriptionCall(c, "transcriptions");
		return relayed(c, (req) => relayTranscription(req, call));
	})
	.post("/translations", usageMeter(), callerAuth(), async (c) => {
		const call = await transcriptionCall(c, "translations");
		return relayed(c, (req) => relayTranscription(req, call));
	});

const TEXT_TYPES = ["text/plain"];

export const audioDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/audio/speech",
		summary: "Generate speech from text: the audio bytes, streamed as the upstream sends them (priced per character of input)",
		tag: "Relay",
		auth: "key",
		body: speechRequest,
		alsoAnswers: [...new Set(Object.values(SPEECH_CONTENT_TYPES))],
		errors: [403, 413, 429, 502, 503, 504],
	},
	{
		method: "post",
		path: "/v1/audio/transcriptions",
		summary: "Transcribe audio (multipart/form-data, file up to 25 MB; priced per second of audio). text, srt and vtt answer as text",
		tag: "Relay",
		auth: "key",
		body: transcriptionUpload,
		bodyType: "multipart/form-data",
		response: transcriptionResponse,
		alsoAnswers: TEXT_TYPES,
		errors: [403, 413, 429, 502, 503, 504],
	},
	{
		method: "post",
		path: "/v1/audio/translations",
		summary: "Translate audio into English text (multipart/form-data, file up to 25 MB; priced per second of audio)",
		tag: "Relay",
		auth: "key",
		body: translationUpload,
		bodyType: "multipart/form-data",
		response: transcriptionResponse,
		alsoAnswers: TEXT_TYPES,
		errors: [403, 413, 429, 502, 503, 504],
	},
];
