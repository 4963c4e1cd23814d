// `npm run bench:batches`: how fast the gateway runs a batch (/v1/batches) on its own queue, under `wrangler dev`
// with the offline mock channel (unpaced): a BATCH_LINES-line chat batch (default 200) at each key concurrency of
// BATCH_CONCURRENCIES (default "1,4,16"), from `POST /v1/batches` until the batch is `completed`, polled every 100 ms.
// Lines a second is what the local queue, D1 claims and in-process requests allow on this machine; a real upstream
// answers in hundreds of milliseconds, not the mock's one, so in production the concurrency is what sets the pace.
// Figures are printed and written to bench-results/batches-<time>.json, never asserted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDatabase } from "../scripts/local-state.mjs";
import { launch } from "./launchers.ts";
import { machine } from "./report.ts";

const LINES = Number(process.env.BATCH_LINES ?? 200);
const CONCURRENCIES = (process.env.BATCH_CONCURRENCIES ?? "1,4,16").split(",").filter(Boolean).map(Number);
const ADMIN = "adm-bench-batches-0123456789";
const MODEL = "mock-chat";

const dir = mkdtempSync(join(tmpdir(), "bench-batches-"));
prepareDatabase(["--persist-to", dir]);
const g = await launch("wrangler-dev", {
	config: "wrangler.toml",
	script: "",
	persist: dir,
	vars: { ADMIN_TOKEN: ADMIN, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") },
});

async function api<T>(key: string, method: string, path: string, body?: unknown): Promise<T> {
	const init: RequestInit = { method, headers: { Authorization: `Bearer ${key}` } };
	if (body instanceof FormData) init.body = body;
	else if (body !== undefined) {
		init.body = JSON.stringify(body);
		init.headers = { ...init.headers, "Content-Type": "application/json" };
	}
	const res = await fetch(`${g.url}${path}`, init);
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
	return (await res.json()) as T;
}

interface Batch {
	id: string;
	status: string;
	request_counts: { total: number; completed: number; failed: number };
}

try {
	// The demo mock channel paces its streams (40 ms a chunk); batch lines do not stream, but leave no doubt.
	const channels = (await api<{ data: { id: number; type: string }[] }>(ADMIN, "GET", "/api/channels")).data;
	for (const ch of channels.filter((c) => c.type === "mock")) await api(ADMIN, "PATCH", `/api/channels/${ch.id}`, { settings: {} });
	const user = await api<{ id: number }>(ADMIN, "POST", "/api/users", { name: "bench-batches" });
	const rows: Record<string, number | string>[] = [];
	for (const concurrency of CONCURRENCIES) {
		const key = await api<{ id: number; key: string }>(ADMIN, "POST", "/api/tokens", { name: `bench-${concurrency}`, user_id: user.id });
		await api(ADMIN, "PATCH", `/api/tokens/${key.id}`, { batch_concurrency: concurrency });
		const jsonl = Array.from({ length: LINES }, (_, i) =>
			JSON.stringify({
				custom_id: `r-${i}`,
				method: "POST",
				url: "/v1/chat/completions",
				body: { model: MODEL, messages: [{ role: "user", content: `Line ${i}` }] },
			}),
		).join("\n");
		const form = new FormData();
		form.append("purpose", "batch");
		form.append("file", new File([jsonl], "batch.jsonl", { type: "application/jsonl" }));
		const file = await api<{ id: string }>(key.key, "POST", "/v1/files", form);
		const started = performance.now();
		let batch = await api<Batch>(key.key, "POST", "/v1/batches", { input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
		while (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) {
			await new Promise((r) => setTimeout(r, 100));
			batch = await api<Batch>(key.key, "GET", `/v1/batches/${batch.id}`);
		}
		const seconds = (performance.now() - started) / 1000;
		rows.push({
			concurrency,
			lines: LINES,
			status: batch.status,
			completed: batch.request_counts.completed,
			failed: batch.request_counts.failed,
			seconds: Number(seconds.toFixed(2)),
			"lines/s": Number((LINES / seconds).toFixed(1)),
		});
	}
	console.log(`A ${LINES}-line chat batch from POST /v1/batches to completed (wrangler dev, mock channel, polled every 100 ms):`);
	console.table(rows);
	const at = new Date().toISOString();
	mkdirSync("bench-results", { recursive: true });
	const out = join("bench-results", `batches-${at.replaceAll(":", "-")}.json`);
	writeFileSync(out, `${JSON.stringify({ at, machine: machine(), load: loadavg(), lines: LINES, rows }, null, "\t")}\n`);
	console.log(`\nWrote ${out}`);
} finally {
	await g.stop();
	rmSync(dir, { recursive: true, force: true });
}
