import { decryptSecret, type EncryptionKeys, encryptSecret, keyIdOf } from "../lib/crypto";

/** Channels re-encrypted per cron run: each costs a decrypt, an encrypt and its share of one D1 batch. */
const PER_RUN = 100;

/** Where a rotation of ENCRYPTION_KEY stands, for GET /api/security/encryption. */
export interface EncryptionStatus {
	key_id: string;
	previous_key_id: string | null;
	/** Encrypted secrets stored (channels' upstream keys). */
	secrets: number;
	/** Still under another key than ENCRYPTION_KEY (or in the older v1 format): the job has these to do. */
	remaining: number;
	/** Readable by neither key: only a new upstream key (PATCH /api/channels/{id}) fixes these. */
	unreadable: number[];
	/** True when nothing needs ENCRYPTION_KEY_PREVIOUS any more: it can be deleted. */
	previous_key_removable: boolean;
}

interface Stored {
	id: number;
	key_ciphertext: string;
}

async function pending(env: Env, currentKid: string, limit: number): Promise<Stored[]> {
	const { results } = await env.DB.prepare(
		"SELECT id, key_ciphertext FROM channels WHERE key_ciphertext IS NOT NULL AND key_ciphertext NOT LIKE 'v2.' || ?1 || '.%' ORDER BY id LIMIT ?2",
	)
		.bind(currentKid, limit)
		.all<Stored>();
	return results;
}

/**
 * The cron's share of a key rotation: channels' upstream keys not yet under ENCRYPTION_KEY are read (under
 * ENCRYPTION_KEY_PREVIOUS, or a v1 ciphertext) and written again under it, a bounded number per run. A row changed
 * meanwhile (a new upstream key) is left as it is: the update matches the ciphertext it read. A secret neither key
 * reads is counted and left for the operator.
 */
export async function reencryptSecrets(env: Env, keys: EncryptionKeys): Promise<{ reencrypted: number; unreadable: number }> {
	const currentKid = await keyIdOf(keys.encryptionKey);
	const rows = await pending(env, currentKid, PER_RUN);
	const updates: D1PreparedStatement[] = [];
	let unreadable = 0;
	for (const row of rows) {
		const plain = await decryptSecret(row.key_ciphertext, keys).catch(() => undefined);
		if (plain === undefined) {
			unreadable++;
			continue;
		}
		const again = await encryptSecret(plain, keys.encryptionKey);
		updates.push(env.DB.prepare("UPDATE channels SET key_ciphertext = ?3 WHERE id = ?1 AND key_ciphertext = ?2").bind(row.id, row.key_ciphertext, again));
	}
	const results = updates.length > 0 ? await env.DB.batch(updates) : [];
	if (unreadable > 0) console.error(JSON.stringify({ level: "error", event: "secrets_unreadable", channels: unreadable }));
	return { reencrypted: results.reduce((n, r) => n + (r.meta.changes ?? 0), 0), unreadable };
}

/** How far a rotation is: what remains under other keys, and which secrets neither key reads. */
export async function encryptionStatus(env: Env, keys: EncryptionKeys): Promise<EncryptionStatus> {
	const currentKid = await keyIdOf(keys.encryptionKey);
	const total = await env.DB.prepare("SELECT count(*) AS n FROM channels WHERE key_ciphertext IS NOT NULL").first<{ n: number }>();
	// Channels are few (an operator's upstream accounts): reading every remaining one is cheap and exact.
	const rows = await pending(env, currentKid, 10_000);
	const unreadable: number[] = [];
	for (const row of rows) if ((await decryptSecret(row.key_ciphertext, keys).catch(() => undefined)) === undefined) unreadable.push(row.id);
	return {
		key_id: currentKid,
		previous_key_id: keys.encryptionKeyPrevious ? await keyIdOf(keys.encryptionKeyPrevious) : null,
		secrets: total?.n ?? 0,
		remaining: rows.length,
		unreadable,
		// A secret neither key reads does not need the previous key either.
		previous_key_removable: rows.length === unreadable.length,
	};
}
