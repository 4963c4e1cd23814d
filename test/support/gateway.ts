import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import { sseEvents } from "../../src/protocols/sse";
import { TEST_ADMIN_TOKEN } from "./constants";
import type { LoggedRequest } from "./mock-upstream";

export const uid = () => crypto.randomUUID().slice(0, 8);

/** A request to the Worker under test, through its real fetch handler. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
	return exports.default.fetch(new Request(`http://gateway.test${path}`, init));
}

export function admin(method: string, path: string, body?: unknown): Promise<Response> {
	return call(path, {
		method,
		headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
}

export function chat(key: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return call("/v1/chat/completions", {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}

/** The base URL of a mock upstream that behaves as `scenario`, logging under `tag`. */
export function upstream(tag: string, scenario: string): string {
	return `${inject("upstreamUrl")}/${tag}/${scenario}/v1`;
}

export async function upstreamLog(tag: string): Promise<LoggedRequest[]> {
	const res = await fetch(`${inject("upstreamUrl")}/__requests?tag=${tag}`);
	return res.json();
}

export interface ChannelInput {
	name?: string;
	type?: string;
	base_url?: string;
	key?: string;
	models: string[];
	model_mapping?: Record<string, string>;
	priority?: number;
	weight?: number;
	groups?: string[];
	status?: string;
	settings?: Record<string, unknown>;
}

export async function createChannel(input: ChannelInput): Promise<{ id: number }> {
	const res = await admin("POST", "/api/channels", { name: `ch-${uid()}`, type: "openai", ...input });
	if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${await res.text()}`);
	return res.json();
}

export interface KeyInput {
	models?: string[] | null;
	expires_at?: string | null;
	user_id?: number;
	rpm?: number | null;
	tpm?: number | null;
	max_concurrency?: number | null;
	budget_daily_usd?: number | null;
	budget_monthly_usd?: number | null;
	quota_usd?: number | null;
	memory_mode?: "off" | "read" | "read_write";
	stream_continuation?: boolean;
	scopes?: string[] | null;
	tags?: string[];
	ip_allow?: string[] | null;
	auto_rotate?: boolean;
}

export async function createKey(input: KeyInput = {}): Promise<{ id: number; key: string }> {
	const res = await admin("POST", "/api/tokens", { name: `key-${uid()}`, ...input });
	if (res.status !== 201) throw new Error(`token create failed: ${res.status} ${await res.text()}`);
	return res.json();
}

/** A model name no other test uses, with a key and the channels given for it. */
export async function scenario(channels: Omit<ChannelInput, "models">[]) {
	const model = `model-${uid()}`;
	const created = [];
	for (const ch of channels) created.push(await createChannel({ ...ch, models: [model] }));
	const { key } = await createKey();
	return { model, key, channels: created };
}

/** Usage rows arrive through the queue; wait for the consumer to write them. */
export async function usageRow(requestId: string, timeoutMs = 8_000): Promise<Record<string, unknown>> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const row = await env.DB.prepare("SELECT * FROM usage_logs WHERE request_id = ?").bind(requestId).first();
		if (row) return row;
		if (Date.now() > until) throw new Error(`no usage row for ${requestId}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

export async function readSse(res: Response): Promise<{ events: unknown[]; raw: string }> {
	const raw = await res.text();
	const events = sseEvents(raw).map(({ data }) => (data === "[DONE]" ? data : JSON.parse(data)));
	return { events, raw };
}
