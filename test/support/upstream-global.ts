import type { TestProject } from "vitest/node";
import { startMockUpstream } from "./mock-upstream";

/** One mock upstream for the whole workers project; the Worker under test reaches it over real loopback HTTP. */
export default async function setup(project: TestProject) {
	const upstream = await startMockUpstream();
	project.provide("upstreamUrl", upstream.url);
	return upstream.close;
}

declare module "vitest" {
	export interface ProvidedContext {
		upstreamUrl: string;
	}
}
