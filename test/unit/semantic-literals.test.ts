import { describe, expect, it } from "vitest";
import { literalsOf } from "../../src/cache/semantic-literals";
import { canonicalJson } from "../../src/lib/canonical-json";

const same = (a: string, b: string) => expect(literalsOf(a), `${a} / ${b}`).toEqual(literalsOf(b));
const differ = (a: string, b: string) => expect(literalsOf(a), `${a} / ${b}`).not.toEqual(literalsOf(b));

describe("the literals the semantic cache matches exactly", () => {
	it("are the same for rewordings: case, punctuation, order of other words, contractions", () => {
		same("What is 15 percent of 240?", "what's 15 percent of 240");
		same("Why isn't my build running?", "Why is my build not running?");
		same("In 2018, who won the World Cup?", "Who won the World Cup in 2018?");
		expect(literalsOf("Write a haiku about autumn.")).toEqual({ numbers: [], negations: 0 });
	});

	it("differ for other numbers, numbers in another order, spelled numbers and negations", () => {
		differ("Convert 5 km to miles.", "Convert 50 km to miles.");
		differ("Convert 3.5 km to miles.", "Convert 35 km to miles.");
		differ("My salary is 2,800 euros.", "My salary is 3,800 euros.");
		differ("Flights from 9 to 11", "Flights from 11 to 9");
		differ("Write three haikus.", "Write five haikus.");
		differ("Which foods are safe for dogs?", "Which foods are not safe for dogs?");
		differ("Planets that have rings", "Planets that have no rings");
		differ("Customers who have ordered", "Customers who haven't ordered");
	});
});

describe("canonical JSON", () => {
	it("sorts keys at every depth and drops null and absent values, keeping array positions", () => {
		expect(canonicalJson({ b: 1, a: { d: null, c: [2, undefined, { f: 1, e: 0 }] }, z: undefined })).toBe('{"a":{"c":[2,null,{"e":0,"f":1}]},"b":1}');
	});
});
