/**
 * IPv4 and IPv6 address ranges (CIDRs) for a key's IP allow-list: parsed once when the key is loaded, matched per
 * request with a few byte comparisons. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is its IPv4 address, so a
 * client reaching the gateway over either stack matches the same IPv4 ranges.
 */
export interface Cidr {
	bytes: Uint8Array;
	bits: number;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): Uint8Array | undefined {
	const m = V4.exec(text);
	if (!m) return undefined;
	const parts = m.slice(1).map((p) => (p.length > 1 && p.startsWith("0") ? Number.NaN : Number(p)));
	if (parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
	return Uint8Array.from(parts);
}

const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function hextets(text: string): number[] | undefined {
	if (text === "") return [];
	const groups = text.split(":");
	const out: number[] = [];
	for (const [i, g] of groups.entries()) {
		// An embedded IPv4 address may end the address (`::ffff:192.0.2.1`), standing for two groups.
		if (i === groups.length - 1 && g.includes(".")) {
			const v4 = parseV4(g);
			if (!v4) return undefined;
			out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
		} else if (HEXTET.test(g)) out.push(Number.parseInt(g, 16));
		else return undefined;
	}
	return out;
}

function parseV6(text: string): Uint8Array | undefined {
	const halves = text.split("::");
	if (halves.length > 2) return undefined;
	const head = hextets(halves[0] ?? "");
	const tail = halves.length === 2 ? hextets(halves[1] ?? "") : [];
	if (!head || !tail) return undefined;
	const missing = 8 - head.length - tail.length;
	if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
	const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
	return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

const MAPPED_V4 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** An address as 4 bytes (IPv4, or IPv4-mapped IPv6) or 16 (IPv6); undefined when it is not one. */
export function parseIp(text: string): Uint8Array | undefined {
	const v6 = text.includes(":") ? parseV6(text) : undefined;
	if (v6) return MAPPED_V4.every((b, i) => v6[i] === b) ? v6.slice(12) : v6;
	return parseV4(text);
}

/** `192.0.2.0/24`, `2001:db8::/32`, or a bare address (one host); undefined when it is none of these. */
export function parseCidr(text: string): Cidr | undefined {
	const [address = "", prefix, extra] = text.trim().split("/");
	if (extra !== undefined) return undefined;
	const bytes = parseIp(address);
	if (!bytes) return undefined;
	const max = bytes.length * 8;
	// A mapped address's prefix counts the 96 bits of the mapping, which parseIp dropped.
	const offset = bytes.length === 4 && address.includes(":") ? 96 : 0;
	if (prefix === undefined) return { bytes, bits: max };
	if (!/^\d{1,3}$/.test(prefix)) return undefined;
	const bits = Number(prefix) - offset;
	if (bits < 0 || bits > max) return undefined;
	return { bytes, bits };
}

function within(ip: Uint8Array, range: Cidr): boolean {
	if (ip.length !== range.bytes.length) return false;
	const whole = range.bits >> 3;
	for (let i = 0; i < whole; i++) if (ip[i] !== range.bytes[i]) return false;
	const rest = range.bits & 7;
	if (rest === 0) return true;
	const mask = (0xff << (8 - rest)) & 0xff;
	return ((ip[whole] ?? 0) & mask) === ((range.bytes[whole] ?? 0) & mask);
}

/** Whether an address (as a client's `cf-connecting-ip`) lies in any of the ranges; an unreadable address lies in none. */
export function inRanges(address: string, ranges: readonly Cidr[]): boolean {
	const ip = parseIp(address.trim());
	return ip !== undefined && ranges.some((r) => within(ip, r));
}
