import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createChannel } from "../support/gateway";
import { newOwner, post, token } from "../support/mem0-api";

const stored = (owner: number, id: string) =>
	env.DB.prepare("SELECT feedback, feedback_reason FROM memory_feedback WHERE owner_id = ?1 AND memory_id = ?2").bind(owner, id).first();

describe("Mem0's feedback on a memory (POST /mem0/v1/feedback/)", () => {
	let mine: { key: string; userId: number };
	let other: { key: string; userId: number };
	let id: string;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		mine = await newOwner();
		other = await newOwner();
		const res = await post(mine.key, "/v3/memories/add/", { infer: false, user_id: "ana", messages: [{ role: "user", content: "I like jazz" }] });
		id = (await res.json<{ results: { id: string }[] }>()).results[0]?.id ?? "";
	});

	it("records the feedback and answers it in Mem0's shape; the latest replaces the earlier one", async () => {
		const first = await post(mine.key, "/v1/feedback/", { memory_id: id, feedback: "NEGATIVE", feedback_reason: "not relevant" });
		expect(first.status).toBe(200);
		expect(await first.json()).toEqual({ id, feedback: "NEGATIVE", feedback_reason: "not relevant" });
		const second = await post(mine.key, "/v1/feedback/", { memory_id: id, feedback: "POSITIVE" });
		expect(await second.json()).toEqual({ id, feedback: "POSITIVE", feedback_reason: null });
		expect(await stored(mine.userId, id)).toEqual({ feedback: "POSITIVE", feedback_reason: null });
	});

	it("removes the feedback when it is null, as Mem0 documents", async () => {
		await post(mine.key, "/v1/feedback/", { memory_id: id, feedback: "VERY_NEGATIVE" });
		const cleared = await post(mine.key, "/v1/feedback/", { memory_id: id, feedback: null, feedback_reason: null });
		expect(cleared.status).toBe(200);
		expect(await cleared.json()).toEqual({ id, feedback: null, feedback_reason: null });
		expect(await stored(mine.userId, id)).toBeNull();
	});

	it("answers 404 in Mem0's format for another user's memory or an unknown one, writing nothing", async () => {
		const theirs = await post(other.key, "/v1/feedback/", { memory_id: id, feedback: "VERY_NEGATIVE" });
		expect(theirs.status).toBe(404);
		expect(await theirs.json()).toMatchObject({ detail: expect.stringContaining("not found") });
		expect(await stored(other.userId, id)).toBeNull();
		const unknown = await post(mine.key, "/v1/feedback/", { memory_id: "no-such-memory", feedback: "POSITIVE" });
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toMatchObject({ detail: expect.any(String) });
	});

	it("refuses a feedback value Mem0 does not have (400)", async () => {
		const res = await post(mine.key, "/v1/feedback/", { memory_id: id, feedback: "MEH" });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ detail: expect.any(String) });
	});

	it("forgets a memory's feedback when the memory is deleted", async () => {
		await post(mine.key, "/v1/feedback/", { memory_id: id, feedback: "POSITIVE" });
		expect((await call(`/mem0/v1/memories/${id}/`, { method: "DELETE", headers: token(mine.key) })).status).toBe(200);
		expect(await stored(mine.userId, id)).toBeNull();
	});
});
