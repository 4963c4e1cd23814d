import { z } from "zod";

/** An operator notification, as the producers send it and the webhook receives it (the body of the POST). */
export const notification = z.object({
	/** Unique per event: a receiver can drop the duplicates that retries may deliver. */
	id: z.string().min(1).max(64),
	type: z.enum(["channel.opened", "channel.recovered", "channel.disabled"]),
	channel_id: z.number().int(),
	state: z.enum(["closed", "open", "half_open", "disabled"]),
	reason: z.string().max(500).nullable(),
	at: z.string(),
});

export type Notification = z.infer<typeof notification>;
