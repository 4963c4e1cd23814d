import { z } from "zod";
import { errorStatus } from "../errors/gateway-error";
import type { OperationDoc } from "./operation";

const errorSchema = z.object({
	error: z.object({ message: z.string(), type: z.string(), code: z.enum(Object.keys(errorStatus) as [string, ...string[]]), param: z.string().nullable() }),
});

const schema = (s: z.ZodType, io: "input" | "output") => z.toJSONSchema(s, { target: "openapi-3.0", io, unrepresentable: "any" });

function operation(op: OperationDoc) {
	const responses: Record<string, unknown> = {};
	const successStatus = op.errors?.find((s) => s === 201 || s === 204) ?? 200;
	const successBody = op.response
		? {
				content: {
					"application/json": { schema: schema(op.response, "output") },
					...(op.streams ? { "text/event-stream": { schema: { type: "string" } } } : {}),
				},
			}
		: {};
	responses[String(successStatus)] = { description: "Success", ...successBody };
	const errors = new Set([400, ...(op.auth === "none" ? [] : [401]), ...(op.errors ?? []).filter((s) => s >= 400), 500]);
	for (const status of errors) {
		responses[String(status)] = { description: "Error", content: { "application/json": { schema: schema(errorSchema, "output") } } };
	}
	// Resource ids are integers; any other path parameter (a Gemini `{model}:action`) is a string.
	const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
		name: m[1],
		in: "path",
		required: true,
		schema: { type: m[1] === "id" ? "integer" : "string" },
	}));
	const query = op.query ? (schema(op.query, "input") as { properties?: Record<string, unknown>; required?: string[] }) : undefined;
	const queryParams = Object.entries(query?.properties ?? {}).map(([name, s]) => ({
		name,
		in: "query",
		required: query?.required?.includes(name) ?? false,
		schema: s,
	}));
	const parameters = [...pathParams, ...queryParams];
	return {
		summary: op.summary,
		tags: [op.tag],
		...(op.auth === "none"
			? { security: [] }
			: {
					security:
						op.auth === "user"
							? [{ adminToken: [] }, { session: [] }, { gatewayKey: [] }]
							: op.auth === "admin"
								? [{ adminToken: [] }, { session: [] }]
								: op.auth === "keyOrSession"
									? [{ gatewayKey: [] }, { session: [], keyId: [] }]
									: [{ gatewayKey: [] }],
				}),
		...(parameters.length ? { parameters } : {}),
		...(op.body
			? { requestBody: { required: true, content: { [op.multipart ? "multipart/form-data" : "application/json"]: { schema: schema(op.body, "input") } } } }
			: {}),
		responses,
	};
}

/** The OpenAPI 3.0 document, built from the zod schemas the routes validate with, so the two cannot drift. */
export function openApiDocument(ops: readonly OperationDoc[]) {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const op of ops) {
		const item = paths[op.path] ?? {};
		item[op.method] = operation(op);
		paths[op.path] = item;
	}
	return {
		openapi: "3.0.3",
		info: {
			title: "edge-gateway",
			version: "0.1.0",
			description: "OpenAI-compatible LLM gateway on Cloudflare Workers: relay API (/v1) and admin API (/api).",
		},
		components: {
			securitySchemes: {
				gatewayKey: { type: "http", scheme: "bearer", description: "A gateway key (sk-...), also accepted as the x-api-key header" },
				adminToken: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret" },
				session: {
					type: "http",
					scheme: "bearer",
					bearerFormat: "JWT",
					description: "A dashboard session from POST /api/auth/login (admin routes: a user with the admin role)",
				},
				keyId: {
					type: "apiKey",
					in: "header",
					name: "x-gateway-key-id",
					description: "With a session on the Files, Vector Stores and Mem0 APIs: the id of one of the user's own keys, which embeds and pays",
				},
			},
		},
		paths,
	};
}
