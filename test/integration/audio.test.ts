import { beforeAll, describe, expect, it } from "vitest";
import { mp3Bitrate } from "../../src/lib/audio-length";
import { readWav, wavFile } from "../../src/lib/wav";
import { MOCK_SAMPLE_RATE, MP3_FRAME } from "../../src/providers/mock/audio";
import type { Operation } from "../../src/providers/types";
import { workersAi } from "../../src/providers/workers-ai";
import { admin, call, createChannel, createKey, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

interface ErrorBody {
	error: { message: string; type: string; code: string; param: string | null };
}

let key: string;

beforeAll(async () => {
	// The mock's media models, priced by migration 0023: mock-tts per character, mock-transcribe per second of audio.
	await createChannel({ type: "mock", models: ["mock-tts", "mock-transcribe"] });
	({ key } = await createKey());
});

const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

function speech(body: unknown, k = key): Promise<Response> {
	return call("/v1/audio/speech", { method: "POST", headers: { ...bearer(k), "content-type": "application/json" }, body: JSON.stringify(body) });
}

function upload(op: "transcriptions" | "translations", file: Blob | undefined, fields: [string, string][], k = key): Promise<Response> {
	const form = new FormData();
	if (file) form.append("file", file, "speech.wav");
	for (const [name, value] of fields) form.append(name, value);
	return call(`/v1/audio/${op}`, { method: "POST", headers: bearer(k), body: form });
}

async function spoken(input: string): Promise<Uint8Array> {
	const res = await speech({ model: "mock-tts", input, voice: "alloy", response_format: "wav" });
	expect(res.status).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

const ascii = (bytes: Uint8Array, at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
const requestId = (res: Response) => res.headers.get("x-request-id") ?? "";

describe("POST /v1/audio/speech", () => {
	it("streams a valid WAV from the mock, priced per character (code points) at mock-tts's price", async () => {
		const input = "Hi 👋 there";
		const res = await speech({ model: "mock-tts", input, voice: "alloy", response_format: "wav" });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("audio/wav");
		expect(res.body).toBeInstanceOf(ReadableStream);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const view = new DataView(bytes.buffer);
		expect([ascii(bytes, 0, 4), ascii(bytes, 8, 4), ascii(bytes, 12, 4)]).toEqual(["RIFF", "WAVE", "fmt "]);
		expect(view.getUint32(4, true)).toBe(bytes.length - 8);
		// PCM, mono, 8 kHz, 16-bit.
		expect([view.getUint16(20, true), view.getUint16(22, true), view.getUint32(24, true), view.getUint16(34, true)]).toEqual([1, 1, MOCK_SAMPLE_RATE, 16]);
		const dataAt = bytes.length - (Math.round(input.length * 0.06 * MOCK_SAMPLE_RATE) * 2 + 8);
		expect(ascii(bytes, dataAt, 4)).toBe("data");
		expect(view.getUint32(dataAt + 4, true)).toBe(bytes.length - dataAt - 8);
		expect(readWav(bytes)?.comment).toBe(`edge-gateway mock speech: ${input}`);

		// 10 code points (11 UTF-16 units) at $15 per million characters.
		const row = await usageRow(requestId(res));
		expect(row).toMatchObject({ endpoint: "/v1/audio/speech", model: "mock-tts", status: 200, unit: "character", units: 10, cost_nusd: 150_000, estimated: 0 });
	});

	it("answers silent MPEG-1 Layer III frames for mp3 (the default), and raw samples for pcm", async () => {
		const res = await speech({ model: "mock-tts", input: "Hello there", voice: "alloy" });
		expect(res.headers.get("content-type")).toBe("audio/mpeg");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(bytes.length % 96).toBe(0);
		expect(bytes.length / 96).toBe(Math.ceil((11 * 0.06) / (1152 / 48_000)));
		// sync 0xFFE, MPEG-1 (11), Layer III (01), no CRC; 32 kbit/s (0001), 48 kHz (01), no padding; mono.
		const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes;
		expect((b0 << 3) | (b1 >> 5)).toBe(0x7ff);
		expect([(b1 >> 3) & 3, (b1 >> 1) & 3, b1 & 1]).toEqual([3, 1, 1]);
		expect([b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1]).toEqual([1, 1, 0]);
		expect(b3 >> 6).toBe(3);
		expect(mp3Bitrate(bytes)).toBe(32_000);
		for (let at = 0; at < bytes.length; at += 96) expect(bytes.subarray(at, at + 96)).toEqual(MP3_FRAME);

		const pcm = await speech({ model: "mock-tts", input: "Hello there", voice: "alloy", response_format: "pcm" });
		expect(pcm.headers.get("content-type")).toBe("audio/pcm");
		const samples = new Uint8Array(await pcm.arrayBuffer());
		expect(samples.length).toBe(Math.round(11 * 0.06 * MOCK_SAMPLE_RATE) * 2);
		expect(ascii(samples, 0, 4)).not.toBe("RIFF");
	});

	it("refuses bad input in OpenAI's format, and a format the mock cannot encode", async () => {
		const noVoice = await speech({ model: "mock-tts", input: "hi" });
		expect(noVoice.status).toBe(400);
		expect((await noVoice.json<ErrorBody>()).error).toMatchObject({ type: "invalid_request_error", param: "voice" });
		const long = await speech({ model: "mock-tts", input: "x".repeat(4097), voice: "alloy" });
		expect((await long.json<ErrorBody>()).error.param).toBe("input");
		const format = await speech({ model: "mock-tts", input: "hi", voice: "alloy", response_format: "ogg" });
		expect((await format.json<ErrorBody>()).error.param).toBe("response_format");
		const opus = await speech({ model: "mock-tts", input: "hi", voice: "alloy", response_format: "opus" });
		expect(opus.status).toBe(400);
		expect((await opus.json<ErrorBody>()).error.message).toMatch(/mp3, wav and pcm/);
	});

	it("relays to an OpenAI-compatible upstream and passes its audio on as it streams", async () => {
		const tag = uid();
		const model = `tts-${tag}`;
		await createChannel({ base_url: upstream(tag, "ok"), key: "sk-upstream-0000000001", models: [model] });
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: { character: 0.00003 } })).status).toBe(200);
		const res = await speech({ model, input: "four", voice: { id: "voice_1" }, response_format: "wav", speed: 1.5 });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("audio/wav");
		expect(new TextDecoder().decode(await res.arrayBuffer())).toBe("upstream-audio-four");
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1/audio/speech`);
		expect(sent?.body).toEqual({ model, input: "four", voice: { id: "voice_1" }, response_format: "wav", speed: 1.5 });
		expect(await usageRow(requestId(res))).toMatchObject({ unit: "character", units: 4, cost_nusd: 120_000 });

		// Audio the upstream has not finished reaches the client as it comes: nothing waits for the end.
		const held = uid();
		await createChannel({ base_url: upstream(held, "held"), key: "sk-upstream-0000000001", models: [`tts-${held}`] });
		const streaming = await speech({ model: `tts-${held}`, input: "four", voice: "alloy", response_format: "wav" });
		const reader = streaming.body?.getReader();
		const first = await reader?.read();
		expect(new TextDecoder().decode(first?.value)).toBe("upstream-audio-");
		await reader?.cancel();
		// Recorded at once: the characters are known from the input, whatever becomes of the stream.
		expect(await usageRow(requestId(streaming))).toMatchObject({ status: 200, unit: "character", units: 4 });

		// A 200 with JSON instead of audio is the channel's failure, not audio for the client.
		const bad = uid();
		await createChannel({ base_url: upstream(bad, "json-200"), key: "sk-upstream-0000000001", models: [`tts-${bad}`] });
		const failed = await speech({ model: `tts-${bad}`, input: "four", voice: "alloy" });
		expect(failed.status).toBe(502);
	});
});

describe("POST /v1/audio/transcriptions and /translations", () => {
	it("hears the mock's own speech as the text it spoke, billed by the seconds the answer reports", async () => {
		const wav = await spoken("Hello from the gateway");
		const res = await upload("transcriptions", new Blob([wav], { type: "audio/wav" }), [["model", "mock-transcribe"]]);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("application/json");
		// 22 characters at 60 ms: 1.32 s, reported as 2 whole seconds, as whisper-1 reports them.
		expect(await res.json()).toEqual({ text: "Hello from the gateway", usage: { type: "duration", seconds: 2 } });
		const row = await usageRow(requestId(res));
		expect(row).toMatchObject({
			endpoint: "/v1/audio/transcriptions",
			model: "mock-transcribe",
			unit: "audio_second",
			units: 2,
			cost_nusd: 200_000,
			estimated: 0,
		});
	});

	it("answers each response_format; text formats are billed by the WAV's exact length", async () => {
		const wav = new Blob([await spoken("one two three")], { type: "audio/wav" });
		const seconds = 13 * 0.06;
		const as = (format: string, extra: [string, string][] = []) =>
			upload("transcriptions", wav, [["model", "mock-transcribe"], ["response_format", format], ...extra]);

		const text = await as("text");
		expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
		expect(await text.text()).toBe("one two three\n");
		const row = await usageRow(requestId(text));
		expect(row).toMatchObject({ unit: "audio_second", estimated: 0 });
		expect(row.units).toBeCloseTo(seconds, 6);
		expect(row.cost_nusd).toBe(Math.round(seconds * 100_000));

		expect(await (await as("srt")).text()).toBe("1\n00:00:00,000 --> 00:00:00,780\none two three\n\n");
		expect(await (await as("vtt")).text()).toBe("WEBVTT\n\n00:00:00.000 --> 00:00:00.780\none two three\n\n");

		const verbose = await (
			await as("verbose_json", [
				["timestamp_granularities[]", "word"],
				["timestamp_granularities[]", "segment"],
			])
		).json<Record<string, unknown>>();
		expect(verbose).toMatchObject({ task: "transcribe", language: "english", text: "one two three", usage: { type: "duration", seconds: 1 } });
		expect(verbose.duration).toBeCloseTo(seconds, 6);
		expect(verbose.segments).toMatchObject([{ id: 0, start: 0, text: "one two three" }]);
		expect(verbose.words).toMatchObject([{ word: "one", start: 0 }, { word: "two" }, { word: "three" }]);
		const wordsOnly = await (await as("verbose_json", [["timestamp_granularities[]", "word"]])).json<Record<string, unknown>>();
		expect(wordsOnly.segments).toBeUndefined();

		const diarized = await (await as("diarized_json")).json<Record<string, unknown>>();
		expect(diarized).toMatchObject({ task: "transcribe", text: "one two three", segments: [{ type: "transcript.text.segment", speaker: "A" }] });
	});

	it("translates: the mock's speech as its text, other audio as a sentence saying how long it was (estimated)", async () => {
		const wav = new Blob([await spoken("Bonjour")], { type: "audio/wav" });
		const res = await upload("translations", wav, [["model", "mock-transcribe"]]);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ text: "Bonjour" });

		// Not WAV: its length is guessed from its size (128 kbit/s), and the record says it is an estimate.
		const other = new Blob([new Uint8Array(32_000).fill(7)], { type: "audio/ogg" });
		const guessed = await upload("translations", other, [
			["model", "mock-transcribe"],
			["response_format", "text"],
		]);
		expect(await guessed.text()).toBe("mock translation of 2.0 seconds of audio\n");
		expect(await usageRow(requestId(guessed))).toMatchObject({ endpoint: "/v1/audio/translations", unit: "audio_second", units: 2, estimated: 1 });

		// MP3: its length estimated from its first frame's bitrate (28 frames of 96 bytes at 32 kbit/s: 0.672 s).
		const mp3 = new Uint8Array(await (await speech({ model: "mock-tts", input: "Hello there", voice: "alloy" })).arrayBuffer());
		const heard = await upload("transcriptions", new Blob([mp3], { type: "audio/mpeg" }), [
			["model", "mock-transcribe"],
			["response_format", "text"],
		]);
		expect(await heard.text()).toBe("mock transcript of 0.7 seconds of audio\n");
		const estimated = await usageRow(requestId(heard));
		expect(estimated).toMatchObject({ unit: "audio_second", estimated: 1 });
		expect(estimated.units).toBeCloseTo(0.672, 6);

		const diarized = await upload("translations", wav, [
			["model", "mock-transcribe"],
			["response_format", "diarized_json"],
		]);
		expect(diarized.status).toBe(400);
	});

	it("relays the form to an OpenAI-compatible upstream: the file and every field, arrays and objects as OpenAI's client sends them", async () => {
		const tag = uid();
		const model = `whisper-${tag}`;
		await createChannel({ base_url: upstream(tag, "ok"), key: "sk-upstream-0000000001", models: [model] });
		const wav = new Blob([wavFile(new Int16Array(8000), 8000)], { type: "audio/wav" });
		const res = await upload("transcriptions", wav, [
			["model", model],
			["language", "en"],
			["prompt", "names: Ada"],
			["temperature", "0.2"],
			["response_format", "verbose_json"],
			["timestamp_granularities[]", "word"],
			["timestamp_granularities[]", "segment"],
			["include[]", "logprobs"],
			["chunking_strategy[type]", "server_vad"],
			["chunking_strategy[threshold]", "0.5"],
		]);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ task: "transcribe", duration: 7.5, text: "upstream transcript" });
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1/audio/transcriptions`);
		expect(sent?.authorization).toBe("Bearer sk-upstream-0000000001");
		expect(sent?.body).toEqual({
			file: { name: "speech.wav", type: "audio/wav", size: wav.size },
			model,
			language: "en",
			prompt: "names: Ada",
			temperature: "0.2",
			response_format: "verbose_json",
			"timestamp_granularities[]": ["word", "segment"],
			"include[]": "logprobs",
			"chunking_strategy[type]": "server_vad",
			"chunking_strategy[threshold]": "0.5",
		});
		// The upstream's duration is billed, not the file's (1 s).
		expect(await usageRow(requestId(res))).toMatchObject({ unit: "audio_second", units: 7.5, estimated: 0 });

		// gpt-4o-transcribe reports tokens: both are recorded, the seconds measured from the file.
		const tokens = uid();
		await createChannel({ base_url: upstream(tokens, "tokens"), key: "sk-upstream-0000000001", models: [`t-${tokens}`] });
		const counted = await upload("transcriptions", wav, [["model", `t-${tokens}`]]);
		expect(await counted.json()).toMatchObject({ text: "upstream transcript", usage: { type: "tokens" } });
		expect(await usageRow(requestId(counted))).toMatchObject({ prompt_tokens: 40, completion_tokens: 12, unit: "audio_second", units: 1, estimated: 0 });

		const translated = await upload("translations", wav, [
			["model", model],
			["response_format", "text"],
		]);
		expect(await translated.text()).toBe("upstream translation\n");
		expect((await upstreamLog(tag))[1]?.path).toBe(`/${tag}/ok/v1/audio/translations`);
	});

	it("refuses bad forms with OpenAI's 400, and files over the limit with 413", async () => {
		const wav = new Blob([wavFile(new Int16Array(800), 8000)], { type: "audio/wav" });
		const noFile = await upload("transcriptions", undefined, [["model", "mock-transcribe"]]);
		expect(noFile.status).toBe(400);
		expect((await noFile.json<ErrorBody>()).error).toMatchObject({ type: "invalid_request_error", param: "file" });
		const json = await call("/v1/audio/transcriptions", { method: "POST", headers: { ...bearer(key), "content-type": "application/json" }, body: "{}" });
		expect(json.status).toBe(400);
		expect((await json.json<ErrorBody>()).error.message).toMatch(/multipart\/form-data/);
		const noModel = await upload("transcriptions", wav, []);
		expect((await noModel.json<ErrorBody>()).error.param).toBe("model");
		const format = await upload("transcriptions", wav, [
			["model", "mock-transcribe"],
			["response_format", "mp3"],
		]);
		expect((await format.json<ErrorBody>()).error.param).toBe("response_format");
		const granularity = await upload("transcriptions", wav, [
			["model", "mock-transcribe"],
			["timestamp_granularities[]", "char"],
		]);
		expect((await granularity.json<ErrorBody>()).error.param).toMatch(/^timestamp_granularities/);
		const stream = await upload("transcriptions", wav, [
			["model", "mock-transcribe"],
			["stream", "true"],
		]);
		expect(stream.status).toBe(400);
		expect((await stream.json<ErrorBody>()).error).toMatchObject({ param: "stream", message: expect.stringMatching(/not supported/) });

		// FILES_MAX_BYTES is 64 KiB in the tests: it bounds the 25 MB audio limit.
		const big = new Blob([new Uint8Array(70_000)], { type: "audio/wav" });
		const tooLarge = await upload("transcriptions", big, [["model", "mock-transcribe"]]);
		expect(tooLarge.status).toBe(413);
		expect((await tooLarge.json<ErrorBody>()).error).toMatchObject({ code: "body_too_large", param: "file", message: expect.stringMatching(/65536 bytes/) });
	});
});

describe("Workers AI audio, through a fake AI binding", () => {
	const wav = wavFile(new Int16Array(16_000), 8000);
	const target = (model: string) => ({ channelId: 1, baseUrl: undefined, apiKey: undefined, upstreamModel: model, settings: {} });
	function send(op: Operation, model: string, body: Record<string, unknown>, answer: unknown) {
		const runs: { model: string; inputs: Record<string, unknown> }[] = [];
		const AI = {
			run: async (m: string, inputs: Record<string, unknown>) => {
				runs.push({ model: m, inputs });
				return answer;
			},
		};
		const ctx = { op, stream: false, signal: new AbortController().signal, clientHeaders: new Headers(), traceHeaders: {}, env: { AI } as unknown as Env };
		return { runs, response: workersAi.send(body, target(model), ctx) };
	}
	const file = new File([wav], "a.wav", { type: "audio/wav" });

	it("sends @cf/openai/whisper the bytes as an array and answers its words as OpenAI's verbose_json", async () => {
		const words = [
			{ word: "hello", start: 0, end: 0.5 },
			{ word: "world", start: 0.5, end: 1.2 },
		];
		const { runs, response } = send(
			"transcriptions",
			"@cf/openai/whisper",
			{ file, response_format: "verbose_json", timestamp_granularities: ["word"] },
			{ text: " hello world", word_count: 2, words, vtt: "WEBVTT" },
		);
		const res = await response;
		expect(runs[0]?.inputs.audio).toEqual([...wav]);
		expect(await res.json()).toEqual({
			task: "transcribe",
			language: "english",
			duration: 1.2,
			text: "hello world",
			words,
			usage: { type: "duration", seconds: 2 },
		});
	});

	it("sends whisper-large-v3-turbo base64 and the task, and answers its segments and duration in each format", async () => {
		const answer = {
			text: "Guten Tag",
			transcription_info: { language: "de", duration: 2.5 },
			segments: [{ start: 0, end: 2.5, text: "Guten Tag", temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0 }],
			vtt: "WEBVTT",
		};
		const model = "@cf/openai/whisper-large-v3-turbo";
		const verbose = send("transcriptions", model, { file, response_format: "verbose_json", language: "de", prompt: "greeting" }, answer);
		const res = await verbose.response;
		expect(verbose.runs[0]?.inputs).toEqual({ audio: btoa(String.fromCharCode(...wav)), task: "transcribe", language: "de", initial_prompt: "greeting" });
		expect(await res.json()).toMatchObject({ language: "german", duration: 2.5, segments: [{ id: 0, start: 0, end: 2.5, text: "Guten Tag" }] });

		const srt = send("translations", model, { file, response_format: "srt" }, answer);
		expect(await (await srt.response).text()).toBe("1\n00:00:00,000 --> 00:00:02,500\nGuten Tag\n\n");
		expect(srt.runs[0]?.inputs.task).toBe("translate");
		const json = send("transcriptions", model, { file }, answer);
		expect(await (await json.response).json()).toEqual({ text: "Guten Tag", usage: { type: "duration", seconds: 3 } });
	});

	it("refuses a translation @cf/openai/whisper cannot make, and answers an unexpected answer as the channel's failure", async () => {
		const refused = await send("translations", "@cf/openai/whisper", { file }, {}).response;
		expect(refused.status).toBe(400);
		expect(((await refused.json()) as ErrorBody).error.message).toMatch(/only transcribes/);
		expect((await send("transcriptions", "@cf/openai/whisper", { file }, { nope: 1 }).response).status).toBe(502);
	});

	it("speaks through MeloTTS: the input as its prompt, its base64 MP3 as the audio bytes", async () => {
		const mp3 = new Uint8Array([...MP3_FRAME, ...MP3_FRAME]);
		const { runs, response } = send("speech", "@cf/myshell-ai/melotts", { input: "Hello", voice: "alloy" }, { audio: btoa(String.fromCharCode(...mp3)) });
		const res = await response;
		expect(runs[0]?.inputs).toEqual({ prompt: "Hello", lang: "en" });
		expect(res.headers.get("content-type")).toBe("audio/mpeg");
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(mp3);
		expect((await send("speech", "@cf/myshell-ai/melotts", { input: "Hello", response_format: "wav" }, {}).response).status).toBe(400);
	});
});
