import type { ModelOutcome } from "../../durable-objects/breaker-types";
import type { LiveChannel } from "../channels/live";
import { routesByName } from "../channels/model-routes";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { traced } from "../observability/tracer";
import type { Operation, Provider } from "../providers/types";
import { type Admitted, admit, type Leg } from "./admit";
import { resolveModel } from "./aliases";
import { report } from "./breakers";
import { type Dispatched, type FailoverInput, failover } from "./failover";
import type { Estimate } from "./governor";
import { type LegRequest, orderLeg } from "./leg-order";
import type { RelayRequest } from "./request";
import { recordLatency } from "./route-signals";

export interface DispatchInput<A> {
	op: Operation;
	model: string;
	stream: boolean;
	/** The body for a channel's provider, allowing at most `outputCap` output tokens when given. */
	bodyFor: (p: Provider, outputCap?: number) => Record<string, unknown>;
	/** For the governors, only when the caller has limits. */
	estimate: () => Estimate;
	/** Reads a 2xx answer while another channel may still be tried (see FailoverInput.read). */
	read: FailoverInput<A>["read"];
	/** The end user the request names (OpenAI's `user`, Anthropic's `metadata.user_id`), for consistent hashing. */
	user?: string | undefined;
}

/** A dispatched request and the model that answered it: the one asked for, or a model of its alias's chain. */
export interface Routed<A> extends Dispatched<A> {
	model: string;
}

// Failures of the model's channels, not of the request: the next model of an alias's chain may still answer.
const EXHAUSTED = new Set(["upstream_timeout", "upstream_error", "rate_limited", "upstream_unavailable"]);

/**
 * Admits the request, then sends it with failover until a channel answers; for an alias, each model of its chain in
 * turn, the next when every channel of one is exhausted before the first byte. The meter learns the model, the
 * channel and the attempts as they happen (a failed request records them too); the breakers learn every attempt's
 * outcome after the response, whatever it was: they learn from failed requests most of all.
 */
export async function dispatch<A>(req: RelayRequest, input: DispatchInput<A>): Promise<Routed<A> & { admitted: Admitted }> {
	const { meter } = req;
	meter.model = input.model;
	meter.stream = input.stream;
	const resolved = resolveModel(await routesByName(req.env), input.model);
	const admitted = await traced(req.trace, "admission", { attributes: { "gen_ai.request.model": input.model } }, () =>
		admit(req, input.op, resolved, input.estimate),
	);
	const { legs, outputCap } = admitted;
	const outcomes: Outcomes = [];
	const order: LegRequest = { resolved, caller: req.caller, stream: input.stream, user: input.user };
	// lowest_latency learns from its own requests only: no other request pays for the measuring.
	const timed = resolved.route?.policy === "lowest_latency";
	const tryLegs = async ([leg, ...rest]: readonly [Leg, ...Leg[]], prior: number): Promise<Routed<A>> => {
		try {
			return await sendLeg(req, input, leg, orderLeg(leg, order), { outputCap, prior, outcomes, timed });
		} catch (err) {
			const [next, ...after] = rest;
			const exhausted = err instanceof GatewayError && EXHAUSTED.has(err.code) && !req.signal.aborted;
			if (exhausted && next) return tryLegs([next, ...after], req.meter.attempts);
			throw err;
		}
	};
	const done = await tryLegs(legs, 0).finally(() => {
		if (outcomes.length > 0) req.waitUntil(report(req.env, outcomes));
	});
	req.responseHeaders.set("x-gateway-channel", String(done.channel.id));
	req.responseHeaders.set("x-gateway-attempts", String(done.attempts));
	req.responseHeaders.set("x-gateway-model", done.model);
	// Kept for a stream continued on another channel, which goes where this request was admitted.
	return { ...done, admitted };
}

type Outcomes = { channel: LiveChannel; outcome: ModelOutcome }[];

interface LegContext {
	outputCap: number | undefined;
	/** Attempts made on earlier models of the chain. */
	prior: number;
	outcomes: Outcomes;
	/** Whether to measure each attempt's answer time (lowest_latency). */
	timed: boolean;
}

/** One model of the chain, its channels in the policy's order, with failover among them. */
async function sendLeg<A>(
	req: RelayRequest,
	{ op, stream, bodyFor, read }: DispatchInput<A>,
	leg: Leg,
	candidates: LiveChannel[],
	{ outputCap, prior, outcomes, timed }: LegContext,
): Promise<Routed<A>> {
	const { meter } = req;
	const cfg = config(req.env);
	const model = leg.model;
	meter.model = model;
	let sentAt = 0;
	const done = await failover(
		{
			op,
			stream,
			bodyFor: (p) => bodyFor(p, outputCap),
			read,
			model,
			candidates,
			config: cfg,
			requestId: req.requestId,
			clientSignal: req.signal,
			clientHeaders: req.clientHeaders,
			env: req.env,
			waitUntil: (work) => req.waitUntil(work),
			trace: req.trace,
			priorAttempts: prior,
			onAttempt: (channel, attempt, upstreamModel) => {
				meter.channelId = channel.id;
				meter.provider = channel.type;
				meter.attempts = prior + attempt;
				meter.upstreamModel = upstreamModel;
				sentAt = Date.now();
			},
			onOutcome: (channel, outcome) => {
				outcomes.push({ channel, outcome });
				// A failed attempt counts as slow as the wait for headers may be: the channel goes to the back until it is measured again.
				if (timed) recordLatency(channel.id, model, stream, outcome.kind === "success" ? outcome.at - sentAt : cfg.firstByteTimeoutMs);
			},
		},
		meter.startedAt,
	);
	return { ...done, attempts: prior + done.attempts, model };
}
