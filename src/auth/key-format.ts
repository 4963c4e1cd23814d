import { crc32 } from "../lib/crc32";
import { randomBase62 } from "../lib/crypto";

/**
 * The gateway's key format, recognisable like GitHub's tokens: `sk-gw_`, 40 random base62 characters (~238 bits)
 * and 6 base62 characters of CRC-32 over them. Secret scanners find leaked keys by the prefix and the checksum
 * (README, "Key format"), and the gateway refuses a mistyped key before any database read. Keys minted before this
 * format (`sk-` and 48 base62 characters) keep working; anything of neither shape is refused at once.
 */
export const KEY_PREFIX = "sk-gw_";
const BODY = 40;
const CHECK = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The current format, for scanners: the whole key. */
export const KEY_PATTERN = /^sk-gw_[0-9A-Za-z]{46}$/;
/** Keys minted before the checksum. */
const LEGACY_PATTERN = /^sk-[0-9A-Za-z]{48}$/;

/** CRC-32 in base62, zero-padded to 6 characters (62^6 > 2^32). */
function checksum(body: string): string {
	let n = crc32(new TextEncoder().encode(body));
	let out = "";
	for (let i = 0; i < CHECK; i++) {
		out = BASE62[n % 62] + out;
		n = Math.floor(n / 62);
	}
	return out;
}

export function newGatewayKey(): string {
	const body = randomBase62("", BODY);
	return `${KEY_PREFIX}${body}${checksum(body)}`;
}

/**
 * Whether a presented string can be a gateway key at all: the current format with a checksum that holds, or the
 * legacy shape. False means refused without a database read.
 */
export function plausibleKey(key: string): boolean {
	if (KEY_PATTERN.test(key)) {
		const body = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + BODY);
		return key.slice(KEY_PREFIX.length + BODY) === checksum(body);
	}
	return LEGACY_PATTERN.test(key);
}

/** The first characters of a key, kept to tell keys apart: the prefix and 4 random characters. */
export function keyPrefixOf(key: string): string {
	return `${key.slice(0, key.startsWith(KEY_PREFIX) ? KEY_PREFIX.length + 4 : 7)}…`;
}
