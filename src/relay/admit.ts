import { currentPrices, type PriceBook } from "../billing/price-book";
import { type ChannelSet, enabledChannels, type LiveChannel, servable } from "../channels/live";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { providers } from "../providers/registry";
import type { Operation } from "../providers/types";
import type { Resolved } from "./aliases";
import { type Estimate, reserveWithGovernors } from "./governor";
import type { RelayRequest } from "./request";

/** One model of the request's chain and the channels that may serve it, not yet ordered (a policy does that when it is tried). */
export interface Leg {
	model: string;
	channels: LiveChannel[];
}

/** Where an admitted request may go, and the output it may ask for when its budget pays for less than it asked. */
export interface Admitted {
	legs: [Leg, ...Leg[]];
	outputCap: number | undefined;
}

interface Serving {
	model: string;
	op: Operation;
	/** Channels that serve the model, whatever their type can do. */
	named: number;
	serving: LiveChannel[];
	priced: LiveChannel[];
}

function servingFor(set: ChannelSet, book: PriceBook, req: RelayRequest, op: Operation, model: string): Serving {
	const named = servable(set, model, req.caller.group);
	const serving = named.filter((ch) => providers[ch.type].operations.includes(op));
	// A channel's own price admits the model on that channel; a channel with no price for it would serve it free.
	const priced = config(req.env).allowUnpriced ? serving : serving.filter((ch) => book.priceFor(model, ch.id) !== undefined);
	return { model, op, named: named.length, serving, priced };
}

/** Why the first model of the chain cannot be served, when none of the chain can. */
function refusal(first: Serving, book: PriceBook, allowUnpriced: boolean): GatewayError {
	const { model, op, named, serving } = first;
	if (!allowUnpriced && (serving.length > 0 || !book.isPriced(model))) {
		return new GatewayError("model_not_priced", `Model '${model}' has no price; an operator must set one (PUT /api/prices/${model}) before it can be used`, {
			param: "model",
		});
	}
	if (named > 0 && serving.length === 0) {
		// The model is served, but not by a channel whose type can do this (e.g. images asked of a chat-only API).
		return new GatewayError("model_not_available", `No channel of model '${model}' offers ${op.replace("_", " ")}: their channel types do not`, {
			param: "model",
		});
	}
	return new GatewayError("model_not_available", `No channel is available for model '${model}'`, { param: "model" });
}

/**
 * The client's model, checked against the key, resolved to the models that may answer it (an alias's chain) and to
 * the priced channels that serve each for the operation; then the request is admitted by the caller's governors (if
 * it has limits), holding enough for the dearest of them all, or refused. A key that may use an alias may use its
 * chain: the operator chose the chain, the key's owner chose the alias.
 */
export async function admit(req: RelayRequest, op: Operation, resolved: Resolved, estimate: () => Estimate): Promise<Admitted> {
	const { caller, env } = req;
	const { requested, chain } = resolved;
	if (caller.models && !caller.models.includes(requested)) {
		throw new GatewayError("model_not_allowed", `This API key may not use model '${requested}'`, { param: "model" });
	}
	const book = await currentPrices(env);
	const set = await enabledChannels(env);
	const [firstModel, ...others] = chain;
	const first = servingFor(set, book, req, op, firstModel);
	const all = [first, ...others.map((model) => servingFor(set, book, req, op, model))];
	req.meter.prices = book;
	const [head, ...rest] = all.filter((s) => s.priced.length > 0).map(({ model, priced }) => ({ model, channels: priced }));
	if (!head) throw refusal(first, book, config(env).allowUnpriced);
	const legs: [Leg, ...Leg[]] = [head, ...rest];
	const targets = legs.flatMap(({ model, channels }) => channels.map((ch) => ({ model, channelId: ch.id })));
	const outputCap = await reserveWithGovernors(req, book, targets, estimate);
	return { legs, outputCap };
}
