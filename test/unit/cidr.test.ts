import { describe, expect, it } from "vitest";
import { inRanges, parseCidr, parseIp } from "../../src/lib/cidr";

const ranges = (...texts: string[]) =>
	texts.map((t) => {
		const r = parseCidr(t);
		if (!r) throw new Error(`not a CIDR: ${t}`);
		return r;
	});

describe("CIDR matching", () => {
	it.each([
		["203.0.113.7", ["203.0.113.0/24"], true],
		["203.0.114.7", ["203.0.113.0/24"], false],
		["10.1.2.3", ["10.0.0.0/8"], true],
		["11.0.0.1", ["10.0.0.0/8"], false],
		["192.0.2.1", ["192.0.2.1"], true],
		["192.0.2.2", ["192.0.2.1"], false],
		["192.0.2.130", ["192.0.2.128/25"], true],
		["192.0.2.127", ["192.0.2.128/25"], false],
		["8.8.8.8", ["0.0.0.0/0"], true],
		["2001:db8::1", ["2001:db8::/32"], true],
		["2001:db9::1", ["2001:db8::/32"], false],
		["2001:db8:0:0:0:0:0:1", ["2001:db8::1/128"], true],
		["2001:0db8:85a3::8a2e:370:7334", ["2001:db8:85a3::/48"], true],
		["::1", ["::1"], true],
		["fe80::1", ["::/0"], true],
		["::ffff:198.51.100.9", ["198.51.100.0/24"], true],
		["198.51.100.9", ["::ffff:198.51.100.0/120"], true],
		["198.51.100.9", ["2001:db8::/32"], false],
		["2001:db8::1", ["0.0.0.0/0"], false],
		["not an ip", ["0.0.0.0/0"], false],
		["", ["0.0.0.0/0"], false],
	] as const)("%s in %j: %s", (ip, cidrs, expected) => {
		expect(inRanges(ip, ranges(...cidrs))).toBe(expected);
	});

	it.each([
		"256.0.0.1/32",
		"10.0.0.0/33",
		"2001:db8::/129",
		"1.2.3",
		"01.2.3.4",
		"2001:db8:::1",
		"1:2:3:4:5:6:7:8:9",
		"10.0.0.0/8/8",
		"10.0.0.0/x",
		"::ffff:1.2.3.4/95",
		"gg::1",
	])("refuses %s", (text) => {
		expect(parseCidr(text)).toBeUndefined();
	});

	it("reads full and compressed IPv6 alike", () => {
		expect(parseIp("2001:db8::")).toEqual(parseIp("2001:0db8:0:0:0:0:0:0"));
		expect(parseIp("1:2:3:4:5:6:7:8")?.length).toBe(16);
	});
});
