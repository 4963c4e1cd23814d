// Prepares local state for `wrangler dev`: .dev.vars with fresh secrets, D1 migrations, and a first-start seed.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { crc32 } from "node:zlib";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export function wrangler(args, { capture = false } = {}) {
	const r = spawnSync("wrangler", args, { env, encoding: "utf8", stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
	if (r.status !== 0) {
		if (capture) process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}`);
		throw new Error(`wrangler ${args.join(" ")} exited with ${r.status}`);
	}
	return r.stdout ?? "";
}

/** Creates .dev.vars from the example with a random ADMIN_TOKEN and ENCRYPTION_KEY, unless it exists. */
export function ensureDevVars() {
	if (existsSync(".dev.vars")) return false;
	const text = readFileSync(".dev.vars.example", "utf8")
		.replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=adm-${randomBytes(24).toString("base64url")}`)
		.replace(/^ENCRYPTION_KEY=.*$/m, `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`);
	writeFileSync(".dev.vars", text, { mode: 0o600 });
	return true;
}

export function devVar(name) {
	const match = new RegExp(`^${name}=(.*)$`, "m").exec(readFileSync(".dev.vars", "utf8"));
	return match?.[1]?.trim();
}

function query(sql, persist) {
	const out = wrangler(["d1", "execute", "DB", "--local", ...persist, "--json", "--command", sql], { capture: true });
	return JSON.parse(out)[0]?.results ?? [];
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A key in the gateway's format (src/auth/key-format.ts): `sk-gw_`, 40 random base62, 6 base62 of CRC-32 over them. */
export function newKey() {
	let body = "";
	while (body.length < 40) {
		for (const b of randomBytes(64)) if (b < 248 && body.length < 40) body += BASE62[b % 62];
	}
	let crc = crc32(Buffer.from(body));
	let check = "";
	for (let i = 0; i < 6; i++) {
		check = BASE62[crc % 62] + check;
		crc = Math.floor(crc / 62);
	}
	return `sk-gw_${body}${check}`;
}

/**
 * Applies migrations locally and, on the very first start (no channel and no key yet), seeds an offline
 * `mock` channel and a demo key. Returns the demo key when it was just created: it is stored only as a hash.
 */
export function prepareDatabase(persist = []) {
	wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], { capture: true });
	const [{ channels, tokens }] = query("SELECT (SELECT count(*) FROM channels) AS channels, (SELECT count(*) FROM tokens) AS tokens", persist);
	if (channels > 0 || tokens > 0) return undefined;
	const key = newKey();
	const hash = createHash("sha256").update(key).digest("hex");
	query(
		'INSERT INTO channels (name, type, models, settings) VALUES (\'mock\', \'mock\', \'["mock-chat","mock-chat-large","mock-embedding","mock-rerank","mock-image","mock-tts","mock-transcribe","mock-moderation"]\', \'{"chunk_delay_ms":40}\'); ' +
			`INSERT INTO tokens (user_id, name, key_hash, key_prefix) VALUES (1, 'demo', '${hash}', '${key.slice(0, 10)}…');`,
		persist,
	);
	return key;
}
