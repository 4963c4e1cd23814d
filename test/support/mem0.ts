// The real `mem0ai` MemoryClient for the tests. It lives in its own small npm project (./mem0-client), installed
// without its peers, so the gateway's own `npm install` never sees mem0ai; the globalSetup ./mem0-global.ts installs it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";

const CLIENT_DIR = fileURLToPath(new URL("./mem0-client/", import.meta.url));
const PACKAGE_JSON = `${CLIENT_DIR}node_modules/mem0ai/package.json`;
const ENTRY = `${CLIENT_DIR}node_modules/mem0ai/dist/index.mjs`;

const wanted = z.object({ dependencies: z.object({ mem0ai: z.string() }) }).parse(JSON.parse(readFileSync(`${CLIENT_DIR}package.json`, "utf8")))
	.dependencies.mem0ai;

function installedVersion(): string | undefined {
	if (!existsSync(PACKAGE_JSON)) return undefined;
	return z.object({ version: z.string() }).parse(JSON.parse(readFileSync(PACKAGE_JSON, "utf8"))).version;
}

/** Installs the locked client once (the registry is needed only then); later runs find it and work offline. */
export function installMem0Client(): void {
	if (installedVersion() === wanted) return;
	// --ignore-scripts: nothing the client needs builds anything; the folder's .npmrc keeps mem0ai's peers out.
	const run = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: CLIENT_DIR, encoding: "utf8" });
	if (run.status !== 0) throw new Error(`npm ci in ${CLIENT_DIR} failed:\n${run.stdout}\n${run.stderr}`);
}

export type Mem0Entity = { userId?: string; agentId?: string; appId?: string; runId?: string };
export type Mem0Message = { role: "user" | "assistant"; content: string };

/**
 * The MemoryClient methods the tests drive, as mem0ai 3.3.1's dist/index.d.ts declares them. Declared here rather than
 * imported, so that `tsc -p test` passes on a fresh clone before the client is installed; the client camel-cases
 * every response itself, and the tests parse what they read with zod.
 */
export interface Mem0Client {
	readonly host: string;
	readonly telemetryId: string;
	ping(): Promise<void>;
	add(messages: Mem0Message[], options?: Mem0Entity & { metadata?: Record<string, unknown>; infer?: boolean }): Promise<unknown>;
	getAll(options?: { filters?: Record<string, unknown>; page?: number; pageSize?: number }): Promise<unknown>;
	search(
		query: string,
		options?: { filters?: Record<string, unknown>; topK?: number; threshold?: number; rerank?: boolean; keywordSearch?: boolean },
	): Promise<unknown>;
	get(memoryId: string): Promise<unknown>;
	update(memoryId: string, body: { text?: string; metadata?: Record<string, unknown> }): Promise<unknown>;
	delete(memoryId: string): Promise<unknown>;
	deleteAll(options?: Mem0Entity): Promise<unknown>;
	history(memoryId: string): Promise<unknown>;
	users(options?: { page?: number; pageSize?: number }): Promise<unknown>;
	deleteUsers(entity?: Mem0Entity): Promise<unknown>;
	batchUpdate(memories: { memoryId: string; text: string }[]): Promise<unknown>;
	batchDelete(memoryIds: string[]): Promise<unknown>;
	feedback(data: { memoryId: string; feedback?: "POSITIVE" | "NEGATIVE" | "VERY_NEGATIVE"; feedbackReason?: string }): Promise<unknown>;
}

type Mem0ClientClass = new (options: { apiKey: string; host: string }) => Mem0Client;

const mem0Module = z.object({ MemoryClient: z.custom<Mem0ClientClass>((value) => typeof value === "function") });

let loaded: Promise<Mem0ClientClass> | undefined;

function load(): Promise<Mem0ClientClass> {
	if (installedVersion() !== wanted) {
		throw new Error(`mem0ai ${wanted} is not installed in ${CLIENT_DIR}: run the tests with the globalSetup test/support/mem0-global.ts`);
	}
	// The client reads this once, when its module is first evaluated; without it every call also posts to PostHog.
	process.env.MEM0_TELEMETRY = "false";
	loaded ??= import(pathToFileURL(ENTRY).href).then((module: unknown) => mem0Module.parse(module).MemoryClient);
	return loaded;
}

/**
 * A real MemoryClient for `host` (e.g. `${gateway}/mem0`) and a gateway key, with telemetry off. Its constructor pings
 * `${host}/v1/ping/` in the background, once per host and key in a process.
 */
export async function mem0Client(host: string, apiKey: string): Promise<Mem0Client> {
	const MemoryClient = await load();
	return new MemoryClient({ apiKey, host });
}
