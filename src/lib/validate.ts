import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { GatewayError } from "../errors/gateway-error";

function describe(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { message: string; param: string | undefined } {
	const [first, ...rest] = error.issues;
	if (!first) return { message: "Invalid request", param: undefined };
	const path = first.path.map(String).join(".");
	const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})` : "";
	return { message: `${path ? `'${path}': ` : ""}${first.message}${more}`, param: path || undefined };
}

/** zValidator with the gateway's error format: a 400 that names the field at fault. */
export function valid<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
	return zValidator(target, schema, (result, c) => {
		if (result.success) return;
		if (target === "json" && !/^application\/([\w.+-]+\+)?json/i.test(c.req.header("content-type") ?? "")) {
			throw new GatewayError("invalid_request", "Expected a JSON body with 'Content-Type: application/json'");
		}
		const { message, param } = describe(result.error);
		throw new GatewayError("invalid_request", message, { param });
	});
}
