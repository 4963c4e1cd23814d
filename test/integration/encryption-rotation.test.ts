// Rotating ENCRYPTION_KEY: the previous key still reads, the cron re-encrypts under the new one, the operator sees when it is done.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { startSession } from "../../src/auth/sessions";
import { forgetChannels } from "../../src/channels/live";
import { reencryptSecrets } from "../../src/channels/rekey";
import { config } from "../../src/env";
import { decryptSecret, encryptSecret, keyIdOf } from "../../src/lib/crypto";
import { v1Ciphertext } from "../support/ciphertext";
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from "../support/constants";
import { createChannel, createKey, uid, upstream, upstreamLog } from "../support/gateway";

const OLD = TEST_ENCRYPTION_KEY;
const NEW = btoa("a brand new key of 32 bytes!!!!!");
const LOST = btoa("a key nobody has any more, 32 b!");

/** The Worker's env with other secrets, as a deployment after `wrangler secret put` has it. */
function withKeys(current: string, previous?: string): Env {
	// ENCRYPTION_KEY_PREVIOUS is an optional secret, which the generated Env type does not list.
	const secrets: Record<string, string> = { ENCRYPTION_KEY: current, ENCRYPTION_KEY_PREVIOUS: previous ?? "" };
	return { ...env, ...secrets };
}

async function callWith(e: Env, path: string, init: RequestInit = {}): Promise<Response> {
	const ctx = createExecutionContext();
	const res = await worker.fetch(new Request(`http://gateway.test${path}`, init), e, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

const asOperator = { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } };

interface Status {
	key_id: string;
	previous_key_id: string | null;
	secrets: number;
	remaining: number;
	unreadable: number[];
	previous_key_removable: boolean;
}

const ciphertextOf = async (id: number) =>
	(await env.DB.prepare("SELECT key_ciphertext FROM channels WHERE id = ?1").bind(id).first<{ key_ciphertext: string }>())?.key_ciphertext ?? "";

/** A chat through `model` under env `e`; returns the upstream key the mock upstream was called with. */
async function upstreamKeyFor(e: Env, key: string, model: string, tag: string): Promise<string | null | undefined> {
	forgetChannels();
	const res = await callWith(e, "/v1/chat/completions", {
		method: "POST",
		headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
		body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
	});
	expect(res.status).toBe(200);
	return (await upstreamLog(tag)).at(-1)?.authorization;
}

describe("rotating ENCRYPTION_KEY", () => {
	it("reads old secrets with the previous key, re-encrypts them in bounded runs, and says when the previous key can go", async () => {
		const tag = `rot-${uid()}`;
		const model = `model-${uid()}`;
		const { id: current } = await createChannel({ base_url: upstream(tag, "ok"), key: "sk-upstream-v2", models: [model] });
		const { id: legacy } = await createChannel({ base_url: upstream(tag, "ok"), key: "placeholder", models: [`legacy-${uid()}`] });
		await env.DB.prepare("UPDATE channels SET key_ciphertext = ?2 WHERE id = ?1")
			.bind(legacy, await v1Ciphertext("sk-upstream-v1", OLD))
			.run();
		const { id: lost } = await createChannel({ key: "placeholder", models: [`lost-${uid()}`], status: "disabled" });
		await env.DB.prepare("UPDATE channels SET key_ciphertext = ?2 WHERE id = ?1")
			.bind(lost, await encryptSecret("sk-lost", LOST))
			.run();
		const { key } = await createKey();

		const rotated = withKeys(NEW, OLD);
		const before = await (await callWith(rotated, "/api/security/encryption", asOperator)).json<Status>();
		expect(before).toMatchObject({ key_id: await keyIdOf(NEW), previous_key_id: await keyIdOf(OLD), unreadable: [lost], previous_key_removable: false });
		expect(before.remaining).toBeGreaterThanOrEqual(3);
		// During the rotation the relay reads the old ciphertext with the previous key.
		expect(await upstreamKeyFor(rotated, key, model, tag)).toBe("Bearer sk-upstream-v2");

		for (;;) if ((await reencryptSecrets(rotated, config(rotated))).reencrypted === 0) break;
		for (const [id, plain] of [
			[current, "sk-upstream-v2"],
			[legacy, "sk-upstream-v1"],
		] as const) {
			const stored = await ciphertextOf(id);
			expect(stored.startsWith(`v2.${await keyIdOf(NEW)}.`)).toBe(true);
			expect(await decryptSecret(stored, { encryptionKey: NEW, encryptionKeyPrevious: undefined })).toBe(plain);
		}
		expect(await ciphertextOf(lost)).not.toMatch(new RegExp(`^v2\\.${await keyIdOf(NEW)}\\.`));
		const after = await (await callWith(rotated, "/api/security/encryption", asOperator)).json<Status>();
		expect(after).toMatchObject({ remaining: 1, unreadable: [lost], previous_key_removable: true });

		// With the previous key deleted, everything still works.
		expect(await upstreamKeyFor(withKeys(NEW), key, model, tag)).toBe("Bearer sk-upstream-v2");
		const done = await (await callWith(withKeys(NEW), "/api/security/encryption", asOperator)).json<Status>();
		expect(done).toMatchObject({ previous_key_id: null, previous_key_removable: true });
		// Tidy: the lost key's channel would otherwise stay unreadable for the other tests of this file.
		await env.DB.prepare("DELETE FROM channels WHERE id = ?1").bind(lost).run();
	});

	it("keeps dashboard sessions signed before the rotation valid while the previous key is kept", async () => {
		const { token } = await startSession(env, { adminToken: TEST_ADMIN_TOKEN }, OLD);
		const me = { headers: { authorization: `Bearer ${token}` } };
		expect((await callWith(withKeys(NEW, OLD), "/api/auth/me", me)).status).toBe(200);
		expect((await callWith(withKeys(NEW), "/api/auth/me", me)).status).toBe(401);
	});

	it("is the operator's to watch", async () => {
		const { key } = await createKey();
		expect((await callWith(env, "/api/security/encryption", { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
	});
});
