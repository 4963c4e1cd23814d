import { describe, expect, it } from "vitest";
import { cycles, type Import, type Layer, layerOf, routeOf, specifiersOf, violations } from "../../scripts/layers";

const edge = (from: string, to: string, typeOnly = false): Import => ({ from, to, typeOnly });

const layers: Layer[] = [
	{ name: "top", rank: 3, paths: ["src/routes/"] },
	{ name: "middle", rank: 2, paths: ["src/relay/"] },
	{ name: "beside", rank: 2, paths: ["durable-objects/"] },
	{ name: "bottom", rank: 1, paths: ["src/lib/", "durable-objects/*-types.ts"] },
];

describe("the layer check", () => {
	it("reads static, type-only, re-exported, multi-line and dynamic imports", () => {
		const source = [
			'import { a } from "./a";',
			'import type { B } from "../b";',
			"import {\n\tc,\n\td,\n} from './c';",
			'export * from "./e";',
			'export type { F } from "./f";',
			'import "./side-effect";',
			'const g = await import("./g");',
			'// import { h } from "./h";',
		].join("\n");
		expect(specifiersOf(source)).toEqual([
			{ specifier: "./a", typeOnly: false },
			{ specifier: "../b", typeOnly: true },
			{ specifier: "./c", typeOnly: false },
			{ specifier: "./e", typeOnly: false },
			{ specifier: "./f", typeOnly: true },
			{ specifier: "./side-effect", typeOnly: false },
			{ specifier: "./g", typeOnly: false },
		]);
	});

	it("places a file by its most specific path", () => {
		expect(layerOf("durable-objects/governor-types.ts", layers)?.name).toBe("bottom");
		expect(layerOf("durable-objects/key-governor.ts", layers)?.name).toBe("beside");
		expect(layerOf("src/nowhere/x.ts", layers)).toBeUndefined();
	});

	it("reports imports up, sideways, into another route's handlers and from unplaced files", () => {
		const found = violations(
			[
				edge("src/relay/a.ts", "src/lib/b.ts"),
				edge("src/lib/b.ts", "src/relay/a.ts", true),
				edge("durable-objects/x.ts", "src/relay/a.ts"),
				edge("src/routes/users.ts", "src/routes/channels.ts"),
				edge("src/routes/users.ts", "src/routes/user-schemas.ts"),
				edge("src/routes/tokens.ts", "src/routes/channel-schemas.ts"),
				edge("src/nowhere/x.ts", "src/lib/b.ts"),
			],
			layers,
		).map((v) => `${v.edge.from} → ${v.edge.to}`);
		expect(found).toEqual([
			"src/lib/b.ts → src/relay/a.ts",
			"durable-objects/x.ts → src/relay/a.ts",
			"src/routes/users.ts → src/routes/channels.ts",
			"src/nowhere/x.ts → src/lib/b.ts",
		]);
	});

	it("names a route by its handler file; schemas and shared pieces are no route", () => {
		expect(routeOf("src/routes/channels.ts")).toBe("channel");
		expect(routeOf("src/routes/channel-health.ts")).toBe("channel-health");
		expect(routeOf("src/routes/channel-schemas.ts")).toBeUndefined();
		expect(routeOf("src/routes/shared/find.ts")).toBeUndefined();
	});

	it("finds every cycle, type-only ones and self-imports included, and nothing else", () => {
		const found = cycles([edge("a", "b"), edge("b", "c", true), edge("c", "a"), edge("c", "d"), edge("d", "e"), edge("e", "e"), edge("f", "d")]);
		expect(found).toEqual([["a", "b", "c"], ["e"]]);
	});
});
