import { zValidator } from "@hono/zod-validator";
import type { Context, ValidationTargets } from "hono";
import type { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth";
import { describeIssues } from "./zod-issue";

const JSON_TYPE = /^application\/([\w.+-]+\+)?json/i;

/** A JSON body is measured before it is parsed: nothing downstream has to walk one nested without bound. */
async function refuseDeepJson(c: Context): Promise<void> {
	if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) return;
	// Hono keeps the text, so the validator's own c.req.json() parses it without reading the body again.
	if (nestsDeeperThan(await c.req.text())) {
		throw new GatewayError("invalid_request", `The JSON body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep, the gateway's limit`);
	}
}

/** zValidator with the gateway's error format: a 400 that names the field at fault. JSON bodies are depth-bounded first. */
export function valid<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
	const check = zValidator(target, schema, (result, c) => {
		if (result.success) return;
		if (target === "json" && !JSON_TYPE.test(c.req.header("content-type") ?? "")) {
			throw new GatewayError("invalid_request", "Expected a JSON body with 'Content-Type: application/json'");
		}
		const { message, param } = describeIssues(result.error.issues);
		throw new GatewayError("invalid_request", message, { param });
	});
	if (target !== "json") return check;
	const bounded: typeof check = async function boundedJson(c, next) {
		await refuseDeepJson(c);
		return check(c, next);
	};
	return bounded;
}
