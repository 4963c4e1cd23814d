import type { Usage } from "./usage";

/**
 * A tap on a stream passed through in its own dialect: fed each event's data in order, it reads usage and how
 * the stream ended without altering what goes by (it may only hold an event back). Named for a line tap, which
 * listens to traffic without being in its way; "probe" is the circuit breaker's trial request.
 */
export interface StreamTap {
	/** Reads one event's data; false holds the event back from the client. */
	inspect(data: string): boolean;
	/** The dialect's normal end was seen (and no error). */
	readonly complete: boolean;
	/** The upstream reported an error in the stream, or sent an event that could not be read. */
	readonly failed: boolean;
	/** An event could not be read: it was held back, and the stream must end with `errorEvent` in its place. */
	readonly unreadable: boolean;
	readonly usage: Usage | undefined;
	/** Characters of generated text, reasoning and tool arguments delivered: the basis of an estimate. */
	deliveredChars(): number;
	/** The data of every event delivered so far, in order: what the client has seen, should the stream be continued. */
	delivered(): readonly string[];
	/** A whole SSE event, in this dialect, that ends a failed stream so the client's SDK raises it. */
	errorEvent(message: string): string;
}

/** What one event says about its stream, read as cheaply as the dialect allows. */
export interface EventReading {
	/** The dialect's normal end (a finish, `[DONE]`, message_stop). */
	ends?: boolean;
	/** An error reported by the upstream. */
	fails?: boolean;
	/** The event carries usage, read later by the dialect's `usage`. */
	carriesUsage?: boolean;
	/** Keep the event from the client. */
	hold?: boolean;
	/** The event's data is not what the dialect sends (not JSON): the stream has failed. */
	unreadable?: boolean;
}

/** A dialect's part of a tap: small hooks over the raw data, so that most events are never parsed. */
export interface TapDialect {
	read(data: string): EventReading;
	/** The usage of the stream, from the data of the events that carry it (in order), or what `read` kept of it. */
	usage(events: readonly string[]): Usage | undefined;
	/** Characters of content in one delivered event: counted only if asked, when the upstream reported no usage. */
	chars(data: string): number;
	errorEvent(message: string): string;
}

/** Cheap tests on raw JSON: inside a JSON string these appear with escaped quotes, so generated text cannot trigger them. */
export const startsWithError = /^\s*\{\s*"error"\s*:/;

export function streamTap(dialect: TapDialect): StreamTap {
	const delivered: string[] = [];
	const usageEvents: string[] = [];
	let ended = false;
	let failed = false;
	let unreadable = false;
	return {
		inspect(data) {
			const reading = dialect.read(data);
			if (reading.unreadable) {
				unreadable = failed = true;
				return false;
			}
			if (reading.ends) ended = true;
			if (reading.fails) failed = true;
			if (reading.carriesUsage) usageEvents.push(data);
			if (reading.hold) return false;
			delivered.push(data);
			return true;
		},
		get complete() {
			return ended && !failed;
		},
		get failed() {
			return failed;
		},
		get unreadable() {
			return unreadable;
		},
		get usage() {
			return usageEvents.length ? dialect.usage(usageEvents) : undefined;
		},
		deliveredChars: () => delivered.reduce((n, data) => n + dialect.chars(data), 0),
		delivered: () => delivered,
		errorEvent: (message) => dialect.errorEvent(message),
	};
}
