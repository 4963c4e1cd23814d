/**
 * Failed authentications per client address, in this isolate: an address past AUTH_FAILURES_PER_MINUTE is refused
 * before its credential is looked at (no database read). Only failures are counted, and only an address that has
 * failed is reported to its governor (`auth-failures:<address>`), which counts across isolates, answers until when the
 * address is refused everywhere, and reports each burst once. The success path costs one map lookup.
 */

interface Strikes {
	windowStart: number;
	count: number;
	blockedUntil: number;
}

const WINDOW_MS = 60_000;
/** Addresses remembered in one isolate; the oldest is forgotten first (a rotating botnet cannot grow the map). */
const MAX_ADDRESSES = 10_000;

const strikes = new Map<string, Strikes>();
/** Failures not yet sent to the address's governor, and the addresses whose send is under way. */
const unsent = new Map<string, number>();
const sending = new Set<string>();
let warned = false;

/** How long the address is still refused for (ms), or 0 when it is not. */
export function refusedFor(address: string, now = Date.now()): number {
	const s = strikes.get(address);
	return s && s.blockedUntil > now ? s.blockedUntil - now : 0;
}

/**
 * Counts one failed authentication from `address` (it is refused here at once past `limit`) and sends it, with any
 * others pending, to the address's governor after the response.
 */
export function noteFailure(env: Env, address: string, limit: number, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): void {
	let s = strikes.get(address);
	if (!s || now - s.windowStart >= WINDOW_MS) {
		strikes.delete(address);
		if (strikes.size >= MAX_ADDRESSES) {
			const oldest = strikes.keys().next();
			if (!oldest.done) strikes.delete(oldest.value);
		}
		s = { windowStart: now, count: 0, blockedUntil: s?.blockedUntil ?? 0 };
		strikes.set(address, s);
	}
	s.count++;
	if (s.count >= limit) s.blockedUntil = Math.max(s.blockedUntil, s.windowStart + WINDOW_MS);
	unsent.set(address, (unsent.get(address) ?? 0) + 1);
	if (!sending.has(address)) waitUntil(send(env, address, limit));
}

/** One call at a time per address: failures arriving meanwhile ride on the next. */
async function send(env: Env, address: string, limit: number): Promise<void> {
	sending.add(address);
	try {
		for (let n = unsent.get(address) ?? 0; n > 0; n = unsent.get(address) ?? 0) {
			unsent.delete(address);
			const until = await env.KEY_GOVERNOR.getByName(`auth-failures:${address}`).authFailures(address, n, limit);
			const s = strikes.get(address);
			if (s && until > s.blockedUntil) s.blockedUntil = until;
		}
	} catch (err) {
		unsent.delete(address);
		// The isolate's own count still refuses the address; only the other isolates' view is lost.
		if (!warned) console.error(JSON.stringify({ level: "warn", event: "auth_failures.send_failed", error: String(err) }));
		warned = true;
	} finally {
		sending.delete(address);
	}
}
