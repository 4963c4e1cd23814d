// The loopback upstream's image and moderation endpoints (see mock-upstream.ts), for the OpenAI-compatible relay:
//   /<tag>/<scenario>/v1/images/generations (JSON) | /v1/images/edits (multipart) | /v1/moderations
// answer as gpt-image-1 and omni-moderation do (images base64 with token usage and their size and quality); and
//   /<tag>/<scenario>/v1beta/models/<model>:predict
// answers as Imagen does. A multipart request is logged with its text fields as they are and each file as
// `{ file: <name>, type, size }` (repeated fields, `image[]`, as a list).
import type { IncomingMessage, ServerResponse } from "node:http";

/** A 1×1 PNG. */
export const ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

type Log = (tag: string, scenario: string, body: Record<string, unknown>) => void;

async function rawBody(req: IncomingMessage): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of req) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

async function formFields(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
	const form = await new Request("http://upstream.test", {
		method: "POST",
		headers: { "content-type": req.headers["content-type"] ?? "" },
		body: raw,
	}).formData();
	const out: Record<string, unknown> = {};
	for (const [name, value] of form) {
		const v = typeof value === "string" ? value : { file: value.name, type: value.type, size: value.size };
		if (name.endsWith("[]")) out[name] = [...((out[name] as unknown[] | undefined) ?? []), v];
		else out[name] = v;
	}
	return out;
}

function json(res: ServerResponse, status: number, body: unknown) {
	res.writeHead(status, { "content-type": "application/json" });
	res.end(JSON.stringify(body));
}

/** Answers the request when it is one of these endpoints; false when it is not. */
export async function imagesUpstream(url: URL, req: IncomingMessage, res: ServerResponse, log: Log): Promise<boolean> {
	const imagen = /^\/([^/]+)\/([^/]+)\/v1beta\/models\/([^/:]+):predict$/.exec(url.pathname);
	if (imagen) {
		const [, tag = "", scenario = ""] = imagen;
		const body = JSON.parse((await rawBody(req)).toString("utf8") || "{}") as { parameters?: { sampleCount?: number } };
		log(tag, scenario, body);
		const count = body.parameters?.sampleCount ?? 1;
		json(res, 200, { predictions: Array.from({ length: count }, () => ({ bytesBase64Encoded: ONE_PIXEL_PNG, mimeType: "image/png" })) });
		return true;
	}
	const match = /^\/([^/]+)\/([^/]+)\/v1\/(images\/generations|images\/edits|moderations)$/.exec(url.pathname);
	if (!match) return false;
	const [, tag = "", scenario = "", op] = match;
	const raw = await rawBody(req);
	const body = op === "images/edits" ? await formFields(req, raw) : (JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>);
	log(tag, scenario, body);
	if (scenario.startsWith("status-")) {
		json(res, Number(scenario.slice(7)), { error: { message: `simulated ${scenario}`, type: "upstream" } });
		return true;
	}
	if (op === "moderations") {
		json(res, 200, {
			id: "modr-up",
			model: body.model,
			results: [{ flagged: false, categories: { violence: false }, category_scores: { violence: 0.01 }, category_applied_input_types: { violence: ["text"] } }],
		});
		return true;
	}
	const n = Number(body.n ?? 1);
	json(res, 200, {
		created: 1,
		data: Array.from({ length: n }, () => ({ b64_json: ONE_PIXEL_PNG })),
		size: "1024x1536",
		quality: "high",
		output_format: "png",
		usage: { input_tokens: 50, input_tokens_details: { text_tokens: 50, image_tokens: 0 }, output_tokens: 4160, total_tokens: 4210 },
	});
	return true;
}
