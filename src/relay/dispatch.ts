import type { ModelOutcome } from "../../durable-objects/breaker-types";
import type { LiveChannel } from "../channels/live";
import { config } from "../env";
import type { Operation, Provider } from "../providers/types";
import { type Admitted, admit } from "./admit";
import { report } from "./breakers";
import { type Dispatched, type FailoverInput, failover } from "./failover";
import type { Estimate } from "./governor";
import type { RelayRequest } from "./request";

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
}

/**
 * Admits the request, then sends it with failover until a channel answers. The meter learns the channel and the
 * attempts as they happen (a failed request records them too); the breakers learn every attempt's outcome after
 * the response, whatever it was: they learn from failed requests most of all.
 */
export async function dispatch<A>(
	req: RelayRequest,
	{ op, model, stream, bodyFor, estimate, read }: DispatchInput<A>,
): Promise<Dispatched<A> & { admitted: Admitted }> {
	const { meter } = req;
	meter.model = model;
	meter.stream = stream;
	const admitted = await admit(req, op, model, estimate);
	const { candidates, outputCap } = admitted;
	const outcomes: { channel: LiveChannel; outcome: ModelOutcome }[] = [];
	const reportOutcomes = () => {
		if (outcomes.length > 0) req.waitUntil(report(req.env, outcomes));
	};
	const done = await failover(
		{
			op,
			stream,
			bodyFor: (p) => bodyFor(p, outputCap),
			read,
			model,
			candidates,
			config: config(req.env),
			requestId: req.requestId,
			clientSignal: req.signal,
			clientHeaders: req.clientHeaders,
			env: req.env,
			onAttempt: (channel, attempt, upstreamModel) => {
				meter.channelId = channel.id;
				meter.attempts = attempt;
				meter.upstreamModel = upstreamModel;
			},
			onOutcome: (channel, outcome) => outcomes.push({ channel, outcome }),
		},
		meter.startedAt,
	).finally(reportOutcomes);
	req.responseHeaders.set("x-gateway-channel", String(done.channel.id));
	req.responseHeaders.set("x-gateway-attempts", String(done.attempts));
	// Kept for a stream continued on another channel, which goes where this request was admitted.
	return { ...done, admitted };
}
