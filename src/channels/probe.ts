import { costNusd, type Price } from "../billing/cost";
import type { EncryptionKeys } from "../lib/crypto";
import { parseShallowRead } from "../lib/json-depth";
import { upstreamMessage } from "../lib/sanitize";
import { providers } from "../providers/registry";
import { type LiveChannel, targetFor } from "./live";
import { meteredTest } from "./test-request";
import { boundedText } from "./upstream-error";

/** One active health check of a channel, as channel_probes keeps it. */
export interface ProbeResult {
	/** "models": the free models list; "completion": the smallest billed request (test-request.ts). */
	kind: "models" | "completion";
	ok: boolean;
	/** The upstream's HTTP status; null when no answer came. */
	status: number | null;
	latencyMs: number;
	/** Secret-free, bounded: it is shown on the dashboard and sent in notifications. */
	error: string | null;
	inputTokens: number;
	outputTokens: number;
	costNusd: number;
}

/** A models list is a page of names; more than this is a base URL that names something else. */
const MAX_LIST_BYTES = 4 << 20;

const failure = (error: unknown): string =>
	error instanceof Error && error.name === "TimeoutError" ? "timed out" : upstreamMessage(error instanceof Error ? error.message : String(error));

async function modelsProbe(list: (signal: AbortSignal) => Promise<Response>, timeoutMs: number): Promise<ProbeResult> {
	const started = Date.now();
	const none = { kind: "models", inputTokens: 0, outputTokens: 0, costNusd: 0 } as const;
	try {
		const res = await list(AbortSignal.timeout(timeoutMs));
		const text = await boundedText(res, MAX_LIST_BYTES);
		const json = res.ok ? parseShallowRead(text) : undefined;
		const error = !res.ok
			? upstreamMessage(text)
			: typeof json === "object" && json !== null
				? null
				: `The models list answered ${res.status}, but not with JSON: is the base URL right?`;
		return { ...none, ok: error === null, status: res.status, latencyMs: Date.now() - started, error };
	} catch (err) {
		return { ...none, ok: false, status: null, latencyMs: Date.now() - started, error: failure(err) };
	}
}

/**
 * Probes a channel the cheapest honest way its type allows: the models list where the API has one (free, and it
 * proves the host and the key), else a one-token request for the channel's first model, priced with `priceOf`
 * (the gateway's own cost: no group multiplier applies).
 */
export async function probeChannel(
	channel: LiveChannel,
	env: Env,
	keys: EncryptionKeys,
	priceOf: (model: string) => Price | undefined,
	timeoutMs: number,
): Promise<ProbeResult> {
	const provider = providers[channel.type];
	const model = [...channel.models][0];
	if (provider.listModels) {
		const list = provider.listModels.bind(provider);
		return modelsProbe(async (signal) => list(await targetFor(channel, model ?? "", keys), signal), timeoutMs);
	}
	if (model === undefined) {
		return {
			kind: "completion",
			ok: false,
			status: null,
			latencyMs: 0,
			error: "The channel lists no model to probe",
			inputTokens: 0,
			outputTokens: 0,
			costNusd: 0,
		};
	}
	const { result, usage } = await meteredTest(channel, model, env, keys, timeoutMs);
	const price = usage ? priceOf(model) : undefined;
	return {
		kind: "completion",
		ok: result.ok,
		status: result.status,
		latencyMs: result.latency_ms,
		error: result.error,
		inputTokens: usage?.promptTokens ?? 0,
		outputTokens: usage?.completionTokens ?? 0,
		costNusd: usage && price ? costNusd(price, usage) : 0,
	};
}
