// What the knowledge tests set up through the API: a user of their own, uploaded files, an ingested store.
import { env } from "cloudflare:workers";
import { call, createKey, uid } from "./gateway";

export const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

/** A key of a new user: each user sees only their own files and stores. */
export async function keyOfNewUser(): Promise<string> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`kn-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	return (await createKey({ user_id: user.id })).key;
}

export async function upload(key: string, filename: string, content: string): Promise<string> {
	const form = new FormData();
	form.set("purpose", "assistants");
	form.set("file", new File([content], filename));
	const res = await call("/v1/files", { method: "POST", headers: auth(key), body: form });
	return (await res.json<{ id: string }>()).id;
}

/** A store of these files, once they are ingested. */
export async function storeWith(key: string, fileIds: string[]): Promise<string> {
	const res = await call("/v1/vector_stores", {
		method: "POST",
		headers: { ...auth(key), "Content-Type": "application/json" },
		body: JSON.stringify({ file_ids: fileIds }),
	});
	const { id } = await res.json<{ id: string }>();
	const until = Date.now() + 30_000;
	for (;;) {
		const store = await (await call(`/v1/vector_stores/${id}`, { headers: auth(key) })).json<{ status: string }>();
		if (store.status === "completed") return id;
		if (Date.now() > until) throw new Error("store not ingested");
		await new Promise((r) => setTimeout(r, 200));
	}
}
