import { describe, expect, it } from "vitest";
import { providers } from "../../src/providers/registry";
import type { Target } from "../../src/providers/types";

const target = (baseUrl: string | undefined, upstreamModel = "m"): Target => ({ channelId: 1, baseUrl, apiKey: "k", upstreamModel, settings: {} });
const chat = { op: "chat", stream: false } as const;

/** Channel type, base URLs as users paste them, and the one URL each must be called at. */
const CASES: [keyof typeof providers, (string | undefined)[], string][] = [
	[
		"anthropic",
		[undefined, "https://api.anthropic.com", "https://api.anthropic.com/", "https://api.anthropic.com/v1", "https://api.anthropic.com/v1/"],
		"https://api.anthropic.com/v1/messages",
	],
	[
		"openai",
		[undefined, "https://api.openai.com", "https://api.openai.com//", "https://api.openai.com/v1", " https://api.openai.com/v1/ "],
		"https://api.openai.com/v1/chat/completions",
	],
	// A path of the server's own is kept: only a bare host gets the default's.
	["openai", ["https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1/"], "https://openrouter.ai/api/v1/chat/completions"],
	["openai", ["https://generativelanguage.googleapis.com/v1beta/openai/"], "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"],
	["openai", ["http://localhost:1234"], "http://localhost:1234/v1/chat/completions"],
	["groq", [undefined, "https://api.groq.com", "https://api.groq.com/openai/v1"], "https://api.groq.com/openai/v1/chat/completions"],
	["openrouter", ["https://openrouter.ai"], "https://openrouter.ai/api/v1/chat/completions"],
	["ollama", ["http://gpu-box:11434", "http://gpu-box:11434/v1/"], "http://gpu-box:11434/v1/chat/completions"],
	[
		"gemini",
		[
			undefined,
			"https://generativelanguage.googleapis.com",
			"https://generativelanguage.googleapis.com/v1beta",
			"https://generativelanguage.googleapis.com/v1beta/",
		],
		"https://generativelanguage.googleapis.com/v1beta/models/m:generateContent",
	],
	[
		"azure-openai",
		["https://res.openai.azure.com", "https://res.openai.azure.com/", "https://res.openai.azure.com/openai", "https://res.openai.azure.com/openai/"],
		"https://res.openai.azure.com/openai/deployments/m/chat/completions?api-version=2024-10-21",
	],
];

describe("base URLs as users paste them", () => {
	it.each(CASES)("a %s channel at %j is called at %s", (type, forms, expected) => {
		const endpoint = providers[type].endpoint;
		for (const form of forms) expect(endpoint?.(target(form), chat), String(form)).toBe(expected);
	});

	it("picks Gemini's method by the call: streamed chat, embeddings", () => {
		const endpoint = providers.gemini.endpoint;
		expect(endpoint?.(target("https://generativelanguage.googleapis.com"), { op: "chat", stream: true })).toBe(
			"https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent?alt=sse",
		);
		expect(endpoint?.(target(undefined, "text-embedding-004"), { op: "embeddings", stream: false })).toBe(
			"https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents",
		);
	});

	it("has no URL for channels reached without one", () => {
		expect(providers.mock.endpoint).toBeUndefined();
		expect(providers["workers-ai"].endpoint).toBeUndefined();
	});
});
