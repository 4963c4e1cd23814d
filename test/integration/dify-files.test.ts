import { beforeAll, describe, expect, it } from "vitest";
import { appWithKey } from "../support/apps";
import { ask, dify, userWithKey } from "../support/dify";
import { call, createChannel, uid, upstream, upstreamLog } from "../support/gateway";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

function upload(key: string, bytes: Uint8Array, name: string, user?: string): Promise<Response> {
	const form = new FormData();
	form.set("file", new File([bytes], name));
	if (user !== undefined) form.set("user", user);
	return call("/dify/v1/files/upload", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
}

describe("POST /dify/v1/files/upload, and images in chat messages", () => {
	const tag = `difyf-${uid()}`;
	const model = `difyf-model-${uid()}`;
	let key: string;
	let strangersKey: string;
	beforeAll(async () => {
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		({ key } = await appWithKey((await userWithKey()).userId, { model }));
		strangersKey = (await appWithKey((await userWithKey()).userId, { model })).key;
	});

	it("keeps an uploaded image, and gives it to the model with the message, as a remote image is given by its URL", async () => {
		const res = await upload(key, PNG, "chart.png", "u1");
		expect(res.status).toBe(201);
		const file = await res.json<{ id: string }>();
		expect(file).toEqual({
			id: expect.any(String),
			name: "chart.png",
			size: PNG.length,
			extension: "png",
			mime_type: "image/png",
			created_by: "u1",
			created_at: expect.any(Number),
		});

		const turn = await ask(key, {
			query: "What is in these?",
			user: "u1",
			files: [
				{ type: "image", transfer_method: "local_file", upload_file_id: file.id },
				{ type: "image", transfer_method: "remote_url", url: "https://example.com/cat.jpg" },
			],
		});
		const sent = (await upstreamLog(tag)).at(-1)?.body as { messages: { role: string; content: unknown }[] };
		expect(sent.messages.at(-1)).toEqual({
			role: "user",
			content: [
				{ type: "text", text: "What is in these?" },
				{ type: "image_url", image_url: { url: `data:image/png;base64,${btoa(String.fromCharCode(...PNG))}` } },
				{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
			],
		});
		const list = await dify(key, "GET", `/messages?user=u1&conversation_id=${turn.conversation_id}`);
		expect(await list.json()).toMatchObject({
			data: [
				{
					query: "What is in these?",
					message_files: [
						{ id: file.id, type: "image", belongs_to: "user" },
						{ type: "image", url: "https://example.com/cat.jpg", belongs_to: "user" },
					],
				},
			],
		});

		// Another gateway user's app cannot use the upload.
		const refused = await dify(strangersKey, "POST", "/chat-messages", {
			inputs: {},
			query: "Whose?",
			user: "u1",
			files: [{ type: "image", transfer_method: "local_file", upload_file_id: file.id }],
		});
		expect(refused.status).toBe(400);
		expect(await refused.json()).toMatchObject({ code: "invalid_param", status: 400 });
	});

	it("refuses what is not an image (415), too large (413), or without a user (400)", async () => {
		const text = await upload(key, new TextEncoder().encode("just text"), "notes.png", "u1");
		expect(text.status).toBe(415);
		expect(await text.json()).toMatchObject({ code: "unsupported_file_type", status: 415 });
		const big = new Uint8Array(70_000);
		big.set(PNG);
		const large = await upload(key, big, "big.png", "u1");
		expect(large.status).toBe(413);
		expect(await large.json()).toMatchObject({ code: "file_too_large", status: 413 });
		const anonymous = await upload(key, PNG, "chart.png");
		expect(anonymous.status).toBe(400);
		expect(await anonymous.json()).toMatchObject({ code: "invalid_param" });
	});
});
