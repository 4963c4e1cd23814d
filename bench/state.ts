// Local D1 state for a benchmarked gateway, prepared with wrangler exactly as `npm run dev` prepares it, then
// seeded in one SQL file: the benchmark's channel and key, and optionally thousands of other keys and channels
// so that the scaling row can show the hot path does not depend on how many there are.
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { newKey, wrangler } from "../scripts/local-state.mjs";
import { encryptSecret } from "../src/lib/crypto.ts";
import { ROUTING_POLICIES } from "../src/types/routing.ts";

export const BENCH_MODELS = ["bench-chat", "bench-embedding"];
/** Served by five channels of its own, and named by one alias per routing policy (`bench-<policy>`), for the policy rows. */
const ROUTED_MODEL = "bench-routed";
const ROUTED_CHANNELS = 5;

export interface Population {
	keys: number;
	channels: number;
	/** The benchmark's key gets limits it never reaches (RPM, TPM, concurrency, every budget), so that each request reserves and settles with its governor. */
	limits?: boolean;
	/** The benchmark's key's response cache (tokens.cache), e.g. {"mode": "exact"}: its requests are served from it. */
	cache?: Record<string, unknown>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

function* rowsOf<T>(count: number, make: (i: number) => T, size = 500): Generator<T[]> {
	for (let start = 0; start < count; start += size) {
		yield Array.from({ length: Math.min(size, count - start) }, (_, i) => make(start + i));
	}
}

/** Returns the gateway key the load uses (the last one created, so a lookup would have to pass all others). */
export async function prepareGatewayState(dir: string, upstreamUrl: string, encryptionKey: string, population: Population): Promise<string> {
	const persist = ["--persist-to", dir];
	wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], { capture: true });

	const statements: string[] = [];
	const otherChannels = population.channels - 1;
	const channelKey = await encryptSecret("sk-bench-upstream", encryptionKey);
	// The other channels serve other models (ten per model), as a large deployment's would.
	for (const rows of rowsOf(
		otherChannels,
		(i) =>
			`(${quote(`other-${i}`)}, 'openai', ${quote(`${upstreamUrl}/v1`)}, ${quote(channelKey)}, ${quote(JSON.stringify([`other-model-${Math.floor(i / 10)}`]))})`,
	)) {
		statements.push(`INSERT INTO channels (name, type, base_url, key_ciphertext, models) VALUES ${rows.join(", ")};`);
	}
	statements.push(
		`INSERT INTO channels (name, type, base_url, key_ciphertext, models) VALUES ('bench', 'openai', ${quote(`${upstreamUrl}/v1`)}, ${quote(channelKey)}, ${quote(JSON.stringify(BENCH_MODELS))});`,
	);
	// The routed model's channels and aliases: the plain scenarios never meet them.
	for (let i = 0; i < ROUTED_CHANNELS; i++) {
		statements.push(
			`INSERT INTO channels (name, type, base_url, key_ciphertext, models) VALUES (${quote(`routed-${i}`)}, 'openai', ${quote(`${upstreamUrl}/v1`)}, ${quote(channelKey)}, ${quote(JSON.stringify([ROUTED_MODEL]))});`,
		);
	}
	for (const policy of ROUTING_POLICIES) {
		const hashOn = policy === "consistent_hash" ? "'user'" : "NULL";
		statements.push(
			`INSERT INTO model_routes (name, chain, policy, hash_on) VALUES (${quote(`bench-${policy}`)}, ${quote(JSON.stringify([ROUTED_MODEL]))}, ${quote(policy)}, ${hashOn});`,
		);
	}
	for (const rows of rowsOf(
		population.keys - 1,
		(i) => `(1, ${quote(`other-${i}`)}, ${quote(sha256(`sk-other-${i}-${randomBytes(8).toString("hex")}`))}, 'sk-othe…')`,
	)) {
		statements.push(`INSERT INTO tokens (user_id, name, key_hash, key_prefix) VALUES ${rows.join(", ")};`);
	}
	// Priced like a small commercial model, so that every request is priced and charged through the ledger.
	for (const model of [...BENCH_MODELS, ROUTED_MODEL]) {
		statements.push(`INSERT INTO prices (model, input_nusd_per_mtok, output_nusd_per_mtok, valid_from) VALUES (${quote(model)}, 150000000, 600000000, 0);`);
	}
	// The gateway's own format: a key of any other shape is refused before any lookup (src/auth/key-format.ts).
	const key = newKey();
	const limits = population.limits
		? { rpm: 100_000_000, tpm: 10_000_000_000, max_concurrency: 100_000, budget_daily_nusd: 1e15, budget_monthly_nusd: 1e15, quota_nusd: 1e15 }
		: {};
	const fields: Record<string, string> = {
		...Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, String(v)])),
		...(population.cache ? { cache: quote(JSON.stringify(population.cache)) } : {}),
	};
	const columns = ["user_id", "name", "key_hash", "key_prefix", ...Object.keys(fields)].join(", ");
	const values = ["1", "'bench'", quote(sha256(key)), quote(`${key.slice(0, 10)}…`), ...Object.values(fields)].join(", ");
	statements.push(`INSERT INTO tokens (${columns}) VALUES (${values});`);

	const file = join(dir, "seed.sql");
	writeFileSync(file, statements.join("\n"));
	wrangler(["d1", "execute", "DB", "--local", ...persist, "--file", file, "--yes"], { capture: true });
	return key;
}

/** Usage records the gateway has written to D1 (read after it stopped). */
export function usageRecords(dir: string): number {
	const out = wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command", "SELECT count(*) AS n FROM usage_logs"], {
		capture: true,
	});
	return Number(JSON.parse(out)[0]?.results?.[0]?.n ?? Number.NaN);
}
