import { currentPrices } from "../billing/price-book";
import { enabledChannels, type LiveChannel, servable } from "../channels/live";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { providers } from "../providers/registry";
import type { Operation } from "../providers/types";
import { type Estimate, reserveWithGovernors } from "./governor";
import type { RelayRequest } from "./request";
import { orderCandidates } from "./select";

/** Where an admitted request may go, and the output it may ask for when its budget pays for less than it asked. */
export interface Admitted {
	candidates: LiveChannel[];
	outputCap: number | undefined;
}

/**
 * The client's model, checked against the key and the price list and resolved to channels that serve it and the
 * operation; then the request is admitted by the caller's governors (if it has limits), or refused.
 */
export async function admit(req: RelayRequest, op: Operation, model: string, estimate: () => Estimate): Promise<Admitted> {
	const { caller, env } = req;
	if (caller.models && !caller.models.includes(model)) {
		throw new GatewayError("model_not_allowed", `This API key may not use model '${model}'`, { param: "model" });
	}
	const book = await currentPrices(env);
	const allowUnpriced = config(env).allowUnpriced;
	const serving = servable(await enabledChannels(env), model, caller.group).filter((ch) => providers[ch.type].operations.includes(op));
	// A channel's own price admits the model on that channel; a channel with no price for it would serve it free.
	const candidates = allowUnpriced ? serving : serving.filter((ch) => book.priceFor(model, ch.id) !== undefined);
	if (candidates.length === 0 && !allowUnpriced && (serving.length > 0 || !book.isPriced(model))) {
		throw new GatewayError("model_not_priced", `Model '${model}' has no price; an operator must set one (PUT /api/prices/${model}) before it can be used`, {
			param: "model",
		});
	}
	req.meter.prices = book;
	if (candidates.length === 0) {
		throw new GatewayError("model_not_available", `No channel is available for model '${model}'`, { param: "model" });
	}
	const outputCap = await reserveWithGovernors(
		req,
		book,
		model,
		candidates.map((ch) => ch.id),
		estimate,
	);
	return { candidates: orderCandidates(candidates), outputCap };
}
