import type { ChannelNotification } from "../queues/notify-message";
import type { BreakerState } from "./breaker-types";

/**
 * The operator notification a state change deserves: a channel that stops serving (opened, disabled) and one
 * that comes back. A failed trial reopening an open channel is not news, so it sends nothing.
 */
export function eventFor(before: BreakerState, after: BreakerState): ChannelNotification["type"] | undefined {
	if (before === after) return undefined;
	if (after === "disabled") return "channel.disabled";
	if (after === "open" && before === "closed") return "channel.opened";
	if (after === "closed") return "channel.recovered";
	return undefined;
}
