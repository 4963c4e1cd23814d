import type { Notification } from "./notify-message";
import { summary } from "./webhook-summary";

export type WebhookFormat = "json" | "slack" | "dingtalk" | "feishu";

export interface WebhookRequest {
	url: string;
	headers: Record<string, string>;
	body: string;
}

const encoder = new TextEncoder();

async function hmac(key: string, message: string): Promise<Uint8Array> {
	const k = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(message)));
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** The body each receiver expects; Feishu's signature travels inside it, so it is signed here. */
async function bodyOf(format: WebhookFormat, n: Notification, secret: string | undefined, nowMs: number): Promise<unknown> {
	const line = summary(n);
	switch (format) {
		case "json":
			return n;
		case "slack":
			return {
				text: line,
				blocks: [
					{ type: "section", text: { type: "plain_text", text: line } },
					{ type: "context", elements: [{ type: "plain_text", text: `${n.type} · ${n.at} · ${n.id}` }] },
				],
			};
		case "dingtalk":
			return { msgtype: "text", text: { content: line } };
		case "feishu": {
			const message = { msg_type: "text", content: { text: line } };
			if (!secret) return message;
			// Feishu's custom bot: the key is "<timestamp in seconds>\n<secret>" and the message is empty.
			const timestamp = String(Math.floor(nowMs / 1000));
			return { timestamp, sign: base64(await hmac(`${timestamp}\n${secret}`, "")), ...message };
		}
	}
}

/** DingTalk's custom bot takes its signature in the query: HMAC-SHA256(secret, "<timestamp in ms>\n<secret>"). */
async function dingtalkUrl(url: string, secret: string, nowMs: number): Promise<string> {
	const signed = new URL(url);
	signed.searchParams.set("timestamp", String(nowMs));
	signed.searchParams.set("sign", base64(await hmac(secret, `${nowMs}\n${secret}`)));
	return signed.toString();
}

/**
 * The POST that delivers a notification in the configured format. With a secret every POST carries the gateway's
 * own signature (x-gateway-signature = "sha256=" + hex HMAC-SHA256(secret, "<x-gateway-timestamp>.<body>"), the
 * timestamp in seconds), which any receiver can check, besides DingTalk's and Feishu's own schemes.
 */
export async function webhookRequest(
	url: string,
	format: WebhookFormat,
	secret: string | undefined,
	n: Notification,
	nowMs = Date.now(),
): Promise<WebhookRequest> {
	const body = JSON.stringify(await bodyOf(format, n, secret, nowMs));
	const headers: Record<string, string> = { "content-type": "application/json", "x-gateway-event": n.type, "x-gateway-event-id": n.id };
	if (!secret) return { url, headers, body };
	const timestamp = String(Math.floor(nowMs / 1000));
	headers["x-gateway-timestamp"] = timestamp;
	headers["x-gateway-signature"] = `sha256=${hex(await hmac(secret, `${timestamp}.${body}`))}`;
	return { url: format === "dingtalk" ? await dingtalkUrl(url, secret, nowMs) : url, headers, body };
}
