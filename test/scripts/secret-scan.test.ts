import { describe, expect, it } from "vitest";
import { leakedLines } from "../support/secret-scan";

describe("the log scan for secrets", () => {
	const key = `sk-${"a1B2".repeat(12)}`;

	it("finds a gateway key by its shape and a given secret by its value, and shows neither", () => {
		const leaks = leakedLines(
			['{"event":"request","status":200}', `{"auth":"Bearer ${key}"}`, "upstream said: invalid key upstream-secret-1"],
			["upstream-secret-1"],
		);
		expect(leaks).toEqual(['{"auth":"Bearer <gateway key>"}', "upstream said: invalid key <secret>"]);
	});

	it("finds a session token by its shape", () => {
		const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
		expect(leakedLines([`{"authorization":"Bearer ${jwt}"}`], [])).toEqual(['{"authorization":"Bearer <session token>"}']);
	});

	it("ignores secrets too short to tell from words, and clean lines", () => {
		expect(leakedLines(["a short one: abc"], ["abc", null, undefined])).toEqual([]);
	});
});
