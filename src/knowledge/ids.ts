const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * An object id in OpenAI's style (`vs_…`, `vsfb_…`, `file-…`): the prefix and 24 random base62 characters, about
 * 143 bits, so ids can be neither guessed nor enumerated. Ids are not ordered; lists order by creation time.
 */
export function newId(prefix: string): string {
	const bytes = crypto.getRandomValues(new Uint8Array(24));
	let id = prefix;
	// 256 is not a multiple of 62: the few values past 247 are folded, a bias of under 2% on some characters.
	for (const b of bytes) id += ALPHABET[b % 62];
	return id;
}
