import OpenAI, { toFile } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";

const gateway = inject("gatewayUrl");

const TTS = "e2e-mock-tts";
const TRANSCRIBE = "e2e-mock-transcribe";
const INPUT = "The gateway speaks";

let sdk: OpenAI;
let spoken: Uint8Array;

/** The usage record of a request, once the queue consumer has written it. */
async function costOf(requestId: string | null): Promise<number> {
	for (let i = 0; i < 100; i++) {
		const res = await fetch(`${gateway}/api/usage/${requestId}`, { headers: { authorization: `Bearer ${inject("adminToken")}` } });
		if (res.ok) return ((await res.json()) as { cost_usd: number }).cost_usd;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`no usage record for ${requestId}`);
}

beforeAll(async () => {
	await adminApi("POST", "/api/channels", { name: "e2e-audio-mock", type: "mock", models: [TTS, TRANSCRIBE] });
	// $15 per million characters, and $0.006 a minute: OpenAI's tts-1 and whisper-1 prices.
	await adminApi("PUT", `/api/prices/${TTS}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: { character: 0.000015 } });
	await adminApi("PUT", `/api/prices/${TRANSCRIBE}`, { input_usd_per_mtok: 0, output_usd_per_mtok: 0, unit_usd: { audio_second: 0.0001 } });
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-audio" });
	sdk = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
});

describe("the openai SDK's audio against wrangler dev, on the offline mock channel", () => {
	it("fails for a model no channel serves", async () => {
		const failed = sdk.audio.speech.create({ model: "e2e-no-such-tts", input: INPUT, voice: "alloy" });
		await expect(failed).rejects.toMatchObject({ status: 503, code: "model_not_available", param: "model" });
		const transcribe = sdk.audio.transcriptions.create({ file: await toFile(new Uint8Array(64), "x.wav"), model: "e2e-no-such-transcribe" });
		await expect(transcribe).rejects.toBeInstanceOf(OpenAI.APIError);
		await expect(transcribe).rejects.toMatchObject({ status: 503, code: "model_not_available" });
	});

	it("speaks: a valid WAV, priced per character", async () => {
		const res = await sdk.audio.speech.create({ model: TTS, input: INPUT, voice: "alloy", response_format: "wav" });
		expect(res.headers.get("content-type")).toBe("audio/wav");
		spoken = new Uint8Array(await res.arrayBuffer());
		const ascii = (at: number) => String.fromCharCode(...spoken.subarray(at, at + 4));
		expect([ascii(0), ascii(8), ascii(12)]).toEqual(["RIFF", "WAVE", "fmt "]);
		expect(new DataView(spoken.buffer).getUint32(4, true)).toBe(spoken.length - 8);
		expect(await costOf(res.headers.get("x-request-id"))).toBeCloseTo(INPUT.length * 0.000015, 12);
	});

	it("transcribes its own speech back to the text, priced per second of audio", async () => {
		const { data, response } = await sdk.audio.transcriptions.create({ file: await toFile(spoken, "speech.wav"), model: TRANSCRIBE }).withResponse();
		expect(data.text).toBe(INPUT);
		// 18 characters of mock speech last 1.08 s, reported as 2 whole seconds.
		expect(data.usage).toEqual({ type: "duration", seconds: 2 });
		expect(await costOf(response.headers.get("x-request-id"))).toBeCloseTo(0.0002, 12);
	});

	it("translates, and answers the text and verbose formats", async () => {
		const translated = await sdk.audio.translations.create({ file: await toFile(spoken, "speech.wav"), model: TRANSCRIBE });
		expect(translated.text).toBe(INPUT);
		const text = await sdk.audio.transcriptions.create({ file: await toFile(spoken, "speech.wav"), model: TRANSCRIBE, response_format: "text" });
		expect(text).toBe(`${INPUT}\n`);
		const verbose = await sdk.audio.transcriptions.create({
			file: await toFile(spoken, "speech.wav"),
			model: TRANSCRIBE,
			response_format: "verbose_json",
			timestamp_granularities: ["word", "segment"],
		});
		expect(verbose).toMatchObject({ language: "english", text: INPUT, segments: [{ id: 0, text: INPUT }] });
		expect(verbose.words?.map((w) => w.word)).toEqual(INPUT.split(" "));
		expect(verbose.duration).toBeCloseTo(INPUT.length * 0.06, 6);
	});
});
