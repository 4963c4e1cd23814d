import { Hono } from "hono";
import type { AppEnv } from "./env";
import { GatewayError } from "./errors/gateway-error";
import { onError } from "./errors/on-error";
import { apiAuth } from "./middleware/api-auth";
import { apiHeaders } from "./middleware/api-headers";
import { authThrottle } from "./middleware/auth-throttle";
import { authorize } from "./middleware/authorize";
import { bodyLimit } from "./middleware/body-limit";
import { dashboardCors } from "./middleware/dashboard-cors";
import { mem0Auth } from "./middleware/mem0-auth";
import { observe } from "./middleware/observe";
import { requestIds } from "./middleware/request-ids";
import { speaks, speaksWhenSent } from "./middleware/speaks";
import { tracing } from "./middleware/tracing";
import { openApiDocument } from "./openapi/document";
import type { OperationDoc } from "./openapi/operation";
import { alertDocs, alertRoutes } from "./routes/alerts";
import { anthropicDocs, anthropicRoutes } from "./routes/anthropic";
import { anthropicBatchDocs, anthropicBatchRoutes } from "./routes/anthropic-batches";
import { appDocs, appRoutes } from "./routes/apps";
import { audioDocs, audioRoutes } from "./routes/audio";
import { auditDocs, auditRoutes } from "./routes/audit";
import { authDocs, authRoutes, loginRoutes } from "./routes/auth";
import { batchDocs, batchRoutes } from "./routes/batches";
import { billingDocs, billingRoutes } from "./routes/billing";
import { cacheDocs, cacheRoutes } from "./routes/cache";
import { channelHealthDocs, channelHealthRoutes } from "./routes/channel-health";
import { channelProbeDocs, channelProbeRoutes } from "./routes/channel-probes";
import { channelDocs, channelRoutes } from "./routes/channels";
import { chatHistoryDocs, chatHistoryRoutes } from "./routes/chat-history";
import { conversationDocs, conversationRoutes } from "./routes/conversations";
import { difyRoutes } from "./routes/dify";
import { difyChatRoutes } from "./routes/dify-chat";
import { difyDocs } from "./routes/dify-docs";
import { difyFileRoutes } from "./routes/dify-files";
import { encryptionDocs, encryptionRoutes } from "./routes/encryption";
import { fileDocs, fileRoutes } from "./routes/files";
import { geminiDocs, geminiRoutes } from "./routes/gemini";
import { geminiBatchDocs, geminiBatchRoutes } from "./routes/gemini-batches";
import { healthDocs, healthRoutes } from "./routes/health";
import { imageDocs, imageRoutes } from "./routes/images";
import { jobDocs, jobRoutes } from "./routes/jobs";
import { keyDocs, keyRoutes } from "./routes/keys";
import { leakedKeyDocs, leakedKeyRoutes } from "./routes/leaked-keys";
import { mem0BatchRoutes } from "./routes/mem0/batch";
import { mem0Docs } from "./routes/mem0/docs";
import { mem0EntityRoutes } from "./routes/mem0/entities";
import { mem0EventRoutes } from "./routes/mem0/events";
import { mem0FeedbackRoutes } from "./routes/mem0/feedback";
import { mem0MemoryRoutes } from "./routes/mem0/memories";
import { routedPath } from "./routes/mem0/paths";
import { metricsDocs, metricsRoutes } from "./routes/metrics";
import { modelInfoDocs, modelInfoRoutes } from "./routes/model-info";
import { modelRouteDocs, modelRouteRoutes } from "./routes/models";
import { moderationDocs, moderationRoutes } from "./routes/moderations";
import { openaiDocs, openaiRoutes } from "./routes/openai";
import { playgroundDocs, playgroundRoutes } from "./routes/playground";
import { groupRoutes, priceDocs, priceRoutes } from "./routes/prices";
import { redemptionDocs, redemptionRoutes } from "./routes/redemptions";
import { rerankDocs, rerankRoutes } from "./routes/rerank";
import { responsesDocs, responsesRoutes } from "./routes/responses";
import { statsDocs, statsRoutes } from "./routes/stats";
import { usageDocs, usageRoutes } from "./routes/usage";
import { userDataDocs, userDataRoutes } from "./routes/user-data";
import { userDocs, userRoutes } from "./routes/users";
import { vectorStoreDocs, vectorStoreRoutes } from "./routes/vector-stores";

export const operations: OperationDoc[] = [
	...modelInfoDocs,
	...openaiDocs,
	...audioDocs,
	...imageDocs,
	...moderationDocs,
	...rerankDocs,
	...responsesDocs,
	...anthropicDocs,
	...anthropicBatchDocs,
	...geminiDocs,
	...geminiBatchDocs,
	...fileDocs,
	...batchDocs,
	...vectorStoreDocs,
	...conversationDocs,
	...chatHistoryDocs,
	...mem0Docs,
	...difyDocs,
	...authDocs,
	...channelDocs,
	...channelHealthDocs,
	...channelProbeDocs,
	...modelRouteDocs,
	...keyDocs,
	...leakedKeyDocs,
	...appDocs,
	...userDocs,
	...userDataDocs,
	...encryptionDocs,
	...priceDocs,
	...usageDocs,
	...auditDocs,
	...billingDocs,
	...redemptionDocs,
	...statsDocs,
	...cacheDocs,
	...playgroundDocs,
	...jobDocs,
	...metricsDocs,
	...alertDocs,
	...healthDocs,
	{ method: "get", path: "/api/openapi.json", summary: "This document", tag: "Meta", auth: "none" },
];

const document = openApiDocument(operations);

export const app = new Hono<AppEnv>({ getPath: routedPath })
	.use(requestIds())
	// Before everything else but the ids (which an invalid configuration's error, thrown here, still quotes).
	.use(tracing())
	// Counted for /metrics and logged, every request, whatever becomes of it.
	.use(observe())
	.get("/api/openapi.json", (c) => c.json(document))
	.route("/metrics", metricsRoutes)
	.route("/", healthRoutes)
	.use("/v1/messages", speaks("anthropic"))
	.use("/v1/messages/*", speaks("anthropic"))
	// Anthropic's clients list models at OpenAI's path; they send anthropic-version, OpenAI's never do.
	.use("/v1/models", speaksWhenSent("anthropic-version", "anthropic"))
	.use("/v1/models/*", speaksWhenSent("anthropic-version", "anthropic"))
	.use("/v1beta/*", speaks("gemini"))
	.use("/mem0/*", speaks("mem0"))
	.use("/dify/*", speaks("dify"))
	// After the dialects, so that its 429 is in the route's format; before any credential is read.
	.use(authThrottle())
	.use("/api/*", dashboardCors())
	.use("/api/*", apiHeaders())
	// The dashboard's Knowledge page calls the Files and Vector Stores APIs themselves, with its session.
	.use("/v1/files/*", dashboardCors())
	.use("/v1/vector_stores/*", dashboardCors())
	// And its Memories page, Mem0's API.
	.use("/mem0/*", dashboardCors())
	// Every JSON body is bounded in size before it is read, as in depth by the validator (lib/validate.ts).
	.use("/api/*", bodyLimit())
	.route("/api/auth", loginRoutes)
	.route("/api/security", leakedKeyRoutes)
	// Who may call what is src/auth/policy.ts's to say, for every route below; unlisted routes are the operator's.
	.use("/api/*", apiAuth(), authorize())
	.route("/api/auth", authRoutes)
	.route("/api/channels", channelRoutes)
	.route("/api/channels", channelHealthRoutes)
	.route("/api/channels", channelProbeRoutes)
	.route("/api/models", modelRouteRoutes)
	.route("/api/tokens", keyRoutes)
	.route("/api/apps", appRoutes)
	.route("/api/users", userRoutes)
	.route("/api/users", userDataRoutes)
	.route("/api/security", encryptionRoutes)
	.route("/api/prices", priceRoutes)
	.route("/api/groups", groupRoutes)
	.route("/api/usage", usageRoutes)
	.route("/api/audit", auditRoutes)
	.route("/api/billing", billingRoutes)
	.route("/api/redemptions", redemptionRoutes)
	.route("/api/stats", statsRoutes)
	.route("/api/cache", cacheRoutes)
	.route("/api/playground", playgroundRoutes)
	.route("/api/jobs", jobRoutes)
	.route("/api/alerts", alertRoutes)
	.route("/api/conversations", chatHistoryRoutes)
	.route("/v1/messages/batches", anthropicBatchRoutes)
	.route("/v1/messages", anthropicRoutes)
	.route("/v1/vector_stores", vectorStoreRoutes)
	.route("/v1/files", fileRoutes)
	.route("/v1/batches", batchRoutes)
	.route("/v1/conversations", conversationRoutes)
	.route("/v1/audio", audioRoutes)
	.route("/v1", responsesRoutes)
	.route("/v1", openaiRoutes)
	.route("/v1", modelInfoRoutes)
	.route("/v1", imageRoutes)
	.route("/v1", moderationRoutes)
	.route("/", rerankRoutes)
	// Before the Gemini routes, whose `/models/:action` knows no batchGenerateContent.
	.route("/v1beta", geminiBatchRoutes)
	.route("/v1beta", geminiRoutes)
	// Mem0's platform API, for the mem0ai client pointed at <gateway>/mem0: its error format, its Token scheme.
	.use("/mem0/*", bodyLimit(), mem0Auth())
	.route("/mem0", mem0EventRoutes)
	.route("/mem0", mem0MemoryRoutes)
	.route("/mem0", mem0EntityRoutes)
	.route("/mem0", mem0BatchRoutes)
	.route("/mem0", mem0FeedbackRoutes)
	// Dify's service API, for dify-client pointed at <gateway>/dify/v1 with an app key: its error format.
	.route("/dify/v1", difyChatRoutes)
	.route("/dify/v1", difyRoutes)
	.route("/dify/v1", difyFileRoutes)
	// Answered, not thrown: a throw here would skip the rest of the middleware that wraps every request (observe()).
	.notFound((c) => onError(new GatewayError("not_found", `No route for ${c.req.method} ${c.req.path}`), c))
	.onError(onError);
