import { Hono } from "hono";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import { usageMeter } from "../middleware/usage-meter";
import type { OperationDoc } from "../openapi/operation";
import { anthropicIngress } from "../protocols/anthropic";
import { messagesCitations } from "../protocols/anthropic/file-search";
import { withSystemText } from "../protocols/anthropic/system-text";
import { estimatePromptTokens } from "../protocols/prompt-estimate";
import { relayChat } from "../relay/chat";
import { anthropicMessage, countTokensRequest, messagesCreate, tokenCount } from "./anthropic-schemas";
import { gatherContext, relayedWithContext } from "./shared/chat-context";
import { endUserFor } from "./shared/chat-memory";
import { runFileSearch } from "./shared/file-search";
import { relayed } from "./shared/relayed";

/**
 * `anthropic-version` is a date. New SDKs send new dates before any list here could know them, so any
 * well-formed one is accepted and passed on to Anthropic channels; a malformed one gets Anthropic's 400.
 */
function checkVersion(version: string | undefined): void {
	if (version !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(version.trim())) {
		throw new GatewayError("invalid_request", `anthropic-version: '${version.slice(0, 40)}' is not a version date such as 2023-06-01`);
	}
}

/** The Anthropic Messages API, mounted at /v1/messages; errors here are Anthropic-format (see app.ts). */
export const anthropicRoutes = new Hono<AppEnv>()
	.post("/", usageMeter(), callerAuth(), bodyLimit(), valid("json", messagesCreate), async (c) => {
		checkVersion(c.req.header("anthropic-version"));
		const body = c.req.valid("json");
		const stream = body.stream === true;
		// Anthropic's own name for the end user is `metadata.user_id`.
		const endUser = endUserFor(c, body.memory?.user_id ?? body.metadata?.user_id);
		// Block shapes the gateway does not model passed validation as they are, for an Anthropic channel.
		if (!body.file_search && endUser === undefined) {
			// On a key with memory off the extension is only taken out of the body: nothing is searched or kept.
			const native = body.memory ? (({ memory: _memory, ...rest }) => rest)(body) : body;
			return relayed(c, (req) => relayChat(req, { ingress: anthropicIngress, native, chat: anthropicIngress.toChat(native), stream, cache: req.caller.cache }));
		}
		// The gateway's extensions: it searches files and memories, the model gets what they found (never the fields).
		const { file_search: options, memory: _memory, ...forModel } = body;
		const found = await gatherContext(c, anthropicIngress.toChat(forModel), options && ((q) => runFileSearch(c, options, q)), endUser);
		const native = found.text === undefined ? forModel : withSystemText(forModel, found.text);
		const annotate = found.search && messagesCitations(found.search);
		return relayedWithContext(c, found, (req) =>
			relayChat(req, { ingress: anthropicIngress, native, chat: found.chat, stream, cache: req.caller.cache, ...(annotate && { annotate }) }),
		);
	})
	.post("/count_tokens", callerAuth(), bodyLimit(), valid("json", countTokensRequest), (c) => {
		checkVersion(c.req.header("anthropic-version"));
		// An estimate (see protocols/token-estimate.ts), free and local: no channel is called.
		const chat = anthropicIngress.toChat({ ...c.req.valid("json"), max_tokens: 1 });
		return c.json({ input_tokens: estimatePromptTokens(chat) });
	});

export const anthropicDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/messages",
		summary: "Create a message (Anthropic Messages API; streams as SSE when `stream` is true)",
		tag: "Relay",
		auth: "key",
		body: messagesCreate,
		response: anthropicMessage,
		errors: [403, 413, 429, 502, 503, 504],
		streams: true,
	},
	{
		method: "post",
		path: "/v1/messages/count_tokens",
		summary: "Estimate the input tokens of a message request (local estimate, no upstream call)",
		tag: "Relay",
		auth: "key",
		body: countTokensRequest,
		response: tokenCount,
	},
];
