import OpenAI, { NotFoundError, toFile } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway}/v1`, maxRetries: 0 });

let sdk: OpenAI;
let stranger: OpenAI;

beforeAll(async () => {
	sdk = client(await userKey("files-e2e"));
	stranger = client(await userKey("files-stranger"));
});

describe("the openai SDK's Files API against wrangler dev (bytes in local R2)", () => {
	it("uploads, lists with auto-pagination, retrieves, downloads and deletes", async () => {
		const text = "The gateway keeps your files in R2.\n";
		const created = await sdk.files.create({ file: await toFile(Buffer.from(text), "a.txt"), purpose: "assistants" });
		expect(created).toMatchObject({ object: "file", filename: "a.txt", purpose: "assistants", bytes: Buffer.byteLength(text), status: "processed" });
		expect(created.id).toMatch(/^file-/);
		const others = [];
		for (let i = 0; i < 3; i++) {
			others.push(await sdk.files.create({ file: await toFile(Buffer.from(`# Note ${i}\n`), `n${i}.md`), purpose: "user_data" }));
		}

		// Pages of one: the SDK follows `after` until `has_more` is false.
		const listed: string[] = [];
		for await (const f of sdk.files.list({ limit: 1 })) listed.push(f.id);
		expect(listed.sort()).toEqual([created.id, ...others.map((f) => f.id)].sort());
		const userData: string[] = [];
		for await (const f of sdk.files.list({ purpose: "user_data", order: "asc" })) userData.push(f.id);
		expect(userData.sort()).toEqual(others.map((f) => f.id).sort());

		expect(await sdk.files.retrieve(created.id)).toEqual(created);
		const content = await sdk.files.content(created.id);
		expect(content.headers.get("content-type")).toBe("text/plain");
		expect(await content.text()).toBe(text);

		expect(await sdk.files.delete(created.id)).toEqual({ id: created.id, object: "file", deleted: true });
		await expect(sdk.files.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
	});

	it("keeps one user's files from another's key: NotFoundError, as for a file that does not exist", async () => {
		const mine = await sdk.files.create({ file: await toFile(Buffer.from("private"), "p.txt"), purpose: "assistants" });
		await expect(stranger.files.retrieve(mine.id)).rejects.toBeInstanceOf(NotFoundError);
		await expect(stranger.files.content(mine.id)).rejects.toBeInstanceOf(NotFoundError);
		await expect(stranger.files.delete(mine.id)).rejects.toBeInstanceOf(NotFoundError);
		const theirs: string[] = [];
		for await (const f of stranger.files.list()) theirs.push(f.id);
		expect(theirs).not.toContain(mine.id);
		expect(await (await sdk.files.content(mine.id)).text()).toBe("private");
	});
});
