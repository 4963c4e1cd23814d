import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { purgeFiles } from "../../src/knowledge/files/store";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { tinyDocx } from "../support/document-fixtures";
import { admin, call, createKey, uid } from "../support/gateway";

// vitest.config.ts sets FILES_MAX_BYTES to 65536 and FILES_QUOTA_BYTES_PER_USER to 262144 for these tests.
const MAX = 65_536;

type Bytes = string | Uint8Array<ArrayBuffer>;

interface FileObject {
	id: string;
	object: string;
	bytes: number;
	created_at: number;
	filename: string;
	purpose: string;
	status: string;
	expires_at?: number;
}
interface FileList {
	object: string;
	data: FileObject[];
	first_id: string | null;
	last_id: string | null;
	has_more: boolean;
}
interface ErrorBody {
	error: { message: string; type: string; code: string; param: string | null };
}

/** A key of a user of its own, so that quotas and listings start empty. */
async function freshKey(): Promise<string> {
	const res = await admin("POST", "/api/users", { name: `files-${uid()}` });
	const { id } = await res.json<{ id: number }>();
	return (await createKey({ user_id: id })).key;
}

function upload(key: string, content: Bytes, filename: string, fields: Record<string, string> = { purpose: "assistants" }, type = "text/plain") {
	const form = new FormData();
	for (const [k, v] of Object.entries(fields)) form.append(k, v);
	form.append("file", new File([content], filename, { type }));
	return call("/v1/files", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
}

async function uploaded(key: string, content: Bytes, filename: string, fields?: Record<string, string>): Promise<FileObject> {
	const res = await upload(key, content, filename, fields);
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json();
}

const get = (key: string, path: string) => call(path, { headers: { authorization: `Bearer ${key}` } });
const del = (key: string, path: string) => call(path, { method: "DELETE", headers: { authorization: `Bearer ${key}` } });

async function list(key: string, query = ""): Promise<FileList> {
	const res = await get(key, `/v1/files${query}`);
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json();
}

describe("POST /v1/files", () => {
	it("stores the bytes in R2 and answers OpenAI's file object", async () => {
		const key = await freshKey();
		const before = Math.floor(Date.now() / 1000);
		const file = await uploaded(key, "hello files", "notes.txt");
		expect(file).toEqual({
			id: expect.stringMatching(/^file-[0-9A-Za-z]{24}$/),
			object: "file",
			bytes: 11,
			created_at: expect.any(Number),
			filename: "notes.txt",
			purpose: "assistants",
			status: "processed",
		});
		expect(file.created_at).toBeGreaterThanOrEqual(before);
		const row = await env.DB.prepare("SELECT sha256, content_type, r2_key FROM files WHERE id = ?")
			.bind(file.id)
			.first<{ sha256: string; content_type: string; r2_key: string }>();
		// sha256("hello files")
		const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("hello files")));
		expect(row?.sha256).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
		expect(row?.content_type).toBe("text/plain");
		expect(await (await env.FILES.get(row?.r2_key ?? ""))?.text()).toBe("hello files");
	});

	it("accepts each of OpenAI's purposes and refuses others, naming the field", async () => {
		const key = await freshKey();
		for (const purpose of ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]) {
			expect((await uploaded(key, "x", "a.txt", { purpose })).purpose).toBe(purpose);
		}
		const res = await upload(key, "x", "a.txt", { purpose: "everything" });
		expect(res.status).toBe(400);
		expect((await res.json<ErrorBody>()).error).toMatchObject({ type: "invalid_request_error", param: "purpose" });
	});

	it("refuses a body without a file, or not multipart", async () => {
		const key = await freshKey();
		const form = new FormData();
		form.append("purpose", "assistants");
		const noFile = await call("/v1/files", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
		expect(noFile.status).toBe(400);
		expect((await noFile.json<ErrorBody>()).error.param).toBe("file");
		const json = await call("/v1/files", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify({ purpose: "assistants" }),
		});
		expect(json.status).toBe(400);
		expect((await json.json<ErrorBody>()).error.message).toContain("multipart/form-data");
	});

	it("gives a batch file OpenAI's 30-day expiry, and honours expires_after", async () => {
		const key = await freshKey();
		const batch = await uploaded(key, "{}", "b.jsonl", { purpose: "batch" });
		expect(batch.expires_at).toBe(batch.created_at + 2_592_000);
		const hour = await uploaded(key, "x", "a.txt", { purpose: "assistants", "expires_after[anchor]": "created_at", "expires_after[seconds]": "3600" });
		expect(hour.expires_at).toBe(hour.created_at + 3600);
		const short = await upload(key, "x", "a.txt", { purpose: "assistants", "expires_after[anchor]": "created_at", "expires_after[seconds]": "60" });
		expect(short.status).toBe(400);
		expect((await short.json<ErrorBody>()).error.param).toBe("expires_after[seconds]");
	});

	it("refuses a file over FILES_MAX_BYTES with a 413 in OpenAI's format, storing nothing", async () => {
		const key = await freshKey();
		const res = await upload(key, new Uint8Array(MAX + 1).fill(0x61), "big.txt");
		expect(res.status).toBe(413);
		expect(await res.json()).toEqual({
			error: { message: `The file exceeds the limit of ${MAX} bytes`, type: "invalid_request_error", code: "body_too_large", param: "file" },
		});
		expect((await list(key)).data).toEqual([]);
		// Exactly at the limit is accepted.
		expect((await uploaded(key, new Uint8Array(MAX).fill(0x61), "max.txt")).bytes).toBe(MAX);
	});

	it("refuses by its Content-Length a body far over the limit, before reading it", async () => {
		const key = await freshKey();
		let pulled = 0;
		// More than a few KiB read from this body makes it fail, which would answer 400, not 413.
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (++pulled > 4) controller.error(new Error("read too far"));
				else controller.enqueue(new Uint8Array(1024));
			},
		});
		const res = await call("/v1/files", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "multipart/form-data; boundary=x", "content-length": String(10 * MAX) },
			body,
			duplex: "half",
		} as RequestInit);
		expect(res.status).toBe(413);
		expect((await res.json<ErrorBody>()).error.code).toBe("body_too_large");
	});

	it("stops reading a body without Content-Length once it outgrows the limit", async () => {
		const key = await freshKey();
		const form = new FormData();
		form.append("purpose", "assistants");
		form.append("file", new File([new Uint8Array(4 * MAX)], "big.bin"));
		const multipart = new Response(form);
		const contentType = multipart.headers.get("content-type") ?? "";
		// Through an identity transform, which forgets the length: the request announces none.
		const body = multipart.body?.pipeThrough(new TransformStream());
		if (!body) throw new Error("no body");
		const res = await call("/v1/files", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": contentType },
			body,
			duplex: "half",
		} as RequestInit);
		expect(res.status).toBe(413);
		expect((await res.json<ErrorBody>()).error.code).toBe("body_too_large");
		expect((await list(key)).data).toEqual([]);
	});

	it("refuses with 403 an upload that would take the user past their storage quota; deleting makes room", async () => {
		const key = await freshKey();
		const other = await createKey({ user_id: await userOf(key) });
		const files: FileObject[] = [];
		for (let i = 0; i < 4; i++) files.push(await uploaded(i % 2 ? other.key : key, new Uint8Array(60_000), `part-${i}.bin`));
		// 240,000 bytes stored: 30,000 more would pass 262,144, whichever of the user's keys sends them.
		const over = await upload(other.key, new Uint8Array(30_000), "more.bin");
		expect(over.status).toBe(403);
		const { error } = await over.json<ErrorBody>();
		expect(error).toMatchObject({ type: "permission_error", code: "forbidden", param: "file" });
		expect(error.message).toContain("storage quota of 262144 bytes");
		// Another user is not affected.
		await uploaded(await freshKey(), new Uint8Array(30_000), "mine.bin");
		const first = files[0];
		if (!first) throw new Error("no file");
		expect((await del(key, `/v1/files/${first.id}`)).status).toBe(200);
		await uploaded(other.key, new Uint8Array(30_000), "more.bin");
	});
});

async function userOf(key: string): Promise<number> {
	const res = await get(key, "/api/users/me");
	return (await res.json<{ id: number }>()).id;
}

describe("content types are sniffed from the bytes, never taken from the client", () => {
	const cases: [string, Bytes, string][] = [
		["a PDF", "%PDF-1.7\n1 0 obj\n", "application/pdf"],
		["a DOCX", new Uint8Array(tinyDocx([{ text: "hi" }])), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
		["another zip", new Uint8Array(zipSync({ "data.bin": new Uint8Array([1, 2, 3]) })), "application/zip"],
		["markdown", "# Title\n\nText", "text/markdown"],
		["HTML", "<!DOCTYPE html><html><body>hi</body></html>", "text/html"],
		["CSV", "a,b\n1,2\n", "text/csv"],
		["JSON", '{"a": 1}', "application/json"],
		["binary", new Uint8Array([0, 1, 2, 255, 254]), "application/octet-stream"],
	];
	const names: Record<string, string> = { markdown: "r.md", CSV: "t.csv", JSON: "d.json", HTML: "page.html" };

	for (const [what, content, type] of cases) {
		it(`serves ${what} as ${type}`, async () => {
			const key = await freshKey();
			// The client claims text/plain for everything.
			const file = await uploaded(key, content, names[what] ?? "upload.txt");
			const res = await get(key, `/v1/files/${file.id}/content`);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toBe(type);
			expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(await new Blob([content]).arrayBuffer()));
		});
	}

	it("does not believe an extension the content contradicts", async () => {
		const key = await freshKey();
		const pdf = await uploaded(key, "%PDF-1.4 not really text", "looks.txt");
		expect((await get(key, `/v1/files/${pdf.id}/content`)).headers.get("content-type")).toBe("application/pdf");
		const notJson = await uploaded(key, "plain words", "data.json");
		expect((await get(key, `/v1/files/${notJson.id}/content`)).headers.get("content-type")).toBe("text/plain");
		const html = await uploaded(key, "<html><p>x</p></html>", "page.bin");
		expect((await get(key, `/v1/files/${html.id}/content`)).headers.get("content-type")).toBe("text/html");
	});
});

describe("GET /v1/files", () => {
	it("lists newest first by default, in pages that follow after/limit/has_more, in either order", async () => {
		const key = await freshKey();
		const made: string[] = [];
		for (let i = 0; i < 5; i++) made.push((await uploaded(key, `file ${i}`, `f${i}.txt`)).id);
		const all = await list(key);
		expect(all).toMatchObject({ object: "list", has_more: false });
		// Same-millisecond uploads tie on time and are ordered by id: compare the set, then follow the pages.
		expect(all.data.map((f) => f.id).sort()).toEqual([...made].sort());
		expect(all.first_id).toBe(all.data[0]?.id);
		expect(all.last_id).toBe(all.data.at(-1)?.id);

		for (const order of ["desc", "asc"] as const) {
			const expected = order === "desc" ? all.data.map((f) => f.id) : all.data.map((f) => f.id).reverse();
			const seen: string[] = [];
			let after: string | null = null;
			for (let page = 0; page < 5; page++) {
				const p: FileList = await list(key, `?limit=2&order=${order}${after ? `&after=${after}` : ""}`);
				expect(p.data.length).toBeLessThanOrEqual(2);
				seen.push(...p.data.map((f) => f.id));
				after = p.last_id;
				if (!p.has_more) break;
			}
			expect(seen).toEqual(expected);
		}
		const last = await list(key, `?limit=2&order=desc&after=${all.data[2]?.id}`);
		expect(last.data.map((f) => f.id)).toEqual(all.data.slice(3).map((f) => f.id));
		expect(last.has_more).toBe(false);
	});

	it("orders by creation time", async () => {
		const key = await freshKey();
		const older = await uploaded(key, "old", "old.txt");
		await env.DB.prepare("UPDATE files SET created_at = created_at - 60000 WHERE id = ?").bind(older.id).run();
		const newer = await uploaded(key, "new", "new.txt");
		expect((await list(key)).data.map((f) => f.id)).toEqual([newer.id, older.id]);
		expect((await list(key, "?order=asc")).data.map((f) => f.id)).toEqual([older.id, newer.id]);
	});

	it("filters by purpose and checks its parameters", async () => {
		const key = await freshKey();
		const batch = await uploaded(key, "{}", "b.jsonl", { purpose: "batch" });
		await uploaded(key, "x", "a.txt", { purpose: "assistants" });
		expect((await list(key, "?purpose=batch")).data.map((f) => f.id)).toEqual([batch.id]);
		for (const bad of ["limit=0", "limit=10001", "order=sideways"]) {
			const res = await get(key, `/v1/files?${bad}`);
			expect(res.status, bad).toBe(400);
			expect((await res.json<ErrorBody>()).error.param).toBe(bad.split("=")[0]);
		}
		const unknown = await get(key, "/v1/files?after=file-nope");
		expect(unknown.status).toBe(404);
		expect((await unknown.json<ErrorBody>()).error).toMatchObject({ message: "No such File object: file-nope", param: "after" });
	});
});

describe("one user's files are invisible to every other", () => {
	it("answers 404 for another user's file on every route, as for a file that does not exist", async () => {
		const owner = await freshKey();
		const stranger = await freshKey();
		const file = await uploaded(owner, "secret", "s.txt");
		for (const [method, path] of [
			["GET", `/v1/files/${file.id}`],
			["GET", `/v1/files/${file.id}/content`],
			["DELETE", `/v1/files/${file.id}`],
			["GET", `/v1/files?after=${file.id}`],
		] as const) {
			const res = await call(path, { method, headers: { authorization: `Bearer ${stranger}` } });
			expect(res.status, `${method} ${path}`).toBe(404);
			const { error } = await res.json<ErrorBody>();
			expect(error).toMatchObject({ message: `No such File object: ${file.id}`, type: "not_found_error" });
		}
		expect((await list(stranger)).data).toEqual([]);
		// Still the owner's, untouched.
		expect(await (await get(owner, `/v1/files/${file.id}/content`)).text()).toBe("secret");
	});

	it("is for gateway keys, like the other /v1 routes: no key, or the operator's token, is a 401", async () => {
		expect((await call("/v1/files")).status).toBe(401);
		const res = await call("/v1/files", { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
		expect(res.status).toBe(401);
		expect((await res.json<ErrorBody>()).error.type).toBe("authentication_error");
	});
});

describe("GET and DELETE /v1/files/{id}", () => {
	it("retrieves, then deletes the row and the R2 object; the file is then gone", async () => {
		const key = await freshKey();
		const file = await uploaded(key, "to delete", "d.txt");
		expect(await (await get(key, `/v1/files/${file.id}`)).json()).toEqual(file);
		const { r2_key } = (await env.DB.prepare("SELECT r2_key FROM files WHERE id = ?").bind(file.id).first<{ r2_key: string }>()) ?? { r2_key: "" };
		const res = await del(key, `/v1/files/${file.id}`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ id: file.id, object: "file", deleted: true });
		expect(await env.FILES.head(r2_key)).toBeNull();
		expect(await env.DB.prepare("SELECT id FROM files WHERE id = ?").bind(file.id).first()).toBeNull();
		for (const path of [`/v1/files/${file.id}`, `/v1/files/${file.id}/content`]) expect((await get(key, path)).status).toBe(404);
		expect((await del(key, `/v1/files/${file.id}`)).status).toBe(404);
	});
});

describe("the cron finishes what a crash left behind", () => {
	async function stored(key: string, name: string) {
		const file = await uploaded(key, name, `${name}.txt`);
		const row = await env.DB.prepare("SELECT r2_key FROM files WHERE id = ?").bind(file.id).first<{ r2_key: string }>();
		return { id: file.id, r2Key: row?.r2_key ?? "" };
	}
	const rowOf = (id: string) => env.DB.prepare("SELECT id FROM files WHERE id = ?").bind(id).first();

	it("removes the object and the row of a file whose delete stopped after marking it", async () => {
		const key = await freshKey();
		const file = await stored(key, "half-deleted");
		await env.DB.prepare("UPDATE files SET deleted_at = ? WHERE id = ?").bind(Date.now(), file.id).run();
		// Marked: already gone for the client.
		expect((await get(key, `/v1/files/${file.id}`)).status).toBe(404);
		expect(await env.FILES.head(file.r2Key)).not.toBeNull();
		expect(await purgeFiles(env, Date.now())).toBeGreaterThanOrEqual(1);
		expect(await env.FILES.head(file.r2Key)).toBeNull();
		expect(await rowOf(file.id)).toBeNull();
	});

	it("is run by the cron trigger", async () => {
		const key = await freshKey();
		const file = await stored(key, "cron");
		await env.DB.prepare("UPDATE files SET deleted_at = ? WHERE id = ?").bind(Date.now(), file.id).run();
		await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/10 * * * *" }), env);
		expect(await env.FILES.head(file.r2Key)).toBeNull();
		expect(await rowOf(file.id)).toBeNull();
	});

	it("also when the object was already deleted (R2 deletes are idempotent)", async () => {
		const key = await freshKey();
		const file = await stored(key, "object-gone");
		await env.DB.prepare("UPDATE files SET deleted_at = ? WHERE id = ?").bind(Date.now(), file.id).run();
		await env.FILES.delete(file.r2Key);
		await purgeFiles(env, Date.now());
		expect(await rowOf(file.id)).toBeNull();
	});

	it("deletes expired files and uploads abandoned before their bytes were confirmed, and nothing else", async () => {
		const key = await freshKey();
		const now = Date.now();
		const expired = await stored(key, "expired");
		await env.DB.prepare("UPDATE files SET expires_at = ? WHERE id = ?")
			.bind(now - 1, expired.id)
			.run();
		expect((await get(key, `/v1/files/${expired.id}`)).status).toBe(404);
		const abandoned = await stored(key, "abandoned");
		await env.DB.prepare("UPDATE files SET status = 'uploaded', created_at = ? WHERE id = ?")
			.bind(now - 2 * 3_600_000, abandoned.id)
			.run();
		const inFlight = await stored(key, "in-flight");
		await env.DB.prepare("UPDATE files SET status = 'uploaded' WHERE id = ?").bind(inFlight.id).run();
		const kept = await stored(key, "kept");
		await purgeFiles(env, now);
		expect(await rowOf(expired.id)).toBeNull();
		expect(await env.FILES.head(expired.r2Key)).toBeNull();
		expect(await rowOf(abandoned.id)).toBeNull();
		expect(await rowOf(inFlight.id)).not.toBeNull();
		expect(await rowOf(kept.id)).not.toBeNull();
		expect(await (await get(key, `/v1/files/${kept.id}/content`)).text()).toBe("kept");
	});
});
