// The generated multi-session corpus of `npm run bench:memory`: end users who, session after session, state facts
// about themselves (some changing over time, each change contradicting the one before) between small-talk questions,
// and one paraphrased question per fact they stated, whose answer is that fact's current value.
//
// Written for the offline mock models: the mock extractor makes every user sentence that does not end in "?" a
// fact, as written, and the mock consolidation takes two facts with the same first three words for the same subject
// (src/providers/mock/facts.ts). So each attribute's sentence has first three words of its own, every fact sentence
// is one plain sentence, and the questions share a word with their fact (the mock embedding and BM25 are lexical).

// A seeded generator, so every run measures the same corpus.
let seed = 17;
export const rand = () => {
	seed = (seed * 1103515245 + 12345) % 2 ** 31;
	return seed / 2 ** 31;
};
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

interface Attribute {
	name: string;
	/** The fact sentence for a value; its first three words are this attribute's alone. */
	fact: (value: string) => string;
	values: readonly string[];
	/** Paraphrased questions whose answer is the attribute's current value. */
	questions: readonly string[];
}

/** Attributes that change over time: each new value contradicts the last. */
const CHANGING: readonly Attribute[] = [
	{
		name: "home city",
		fact: (v) => `My home city is ${v}.`,
		values: ["Lisbon", "Porto", "Leeds", "Turin", "Lyon", "Graz", "Ghent", "Malmo", "Bergen", "Tartu", "Split", "Brno", "Cork", "Basel", "Bilbao", "Riga"],
		questions: ["Which city do I live in now?", "Where is my home these days?", "What city is home for me at the moment?"],
	},
	{
		name: "employer",
		fact: (v) => `I work for ${v}.`,
		values: [
			"Globex",
			"Initech",
			"Hooli",
			"Cyberdyne",
			"Vandelay Imports",
			"Northwind Traders",
			"Soylent Farms",
			"Wonka Sweets",
			"Tyrell Motors",
			"Oscorp Labs",
			"Stark Freight",
			"Wayne Textiles",
			"Acme Logistics",
			"Pied Piper",
			"Umbrella Foods",
			"Gringotts Bank",
		],
		questions: ["Who do I work for these days?", "Which company do I currently work for?", "Where do I work now?"],
	},
	{
		name: "car",
		fact: (v) => `My car is a ${v}.`,
		values: [
			"Volvo estate",
			"red Fiat Panda",
			"Toyota Yaris",
			"Skoda Octavia",
			"blue Mini",
			"Renault Clio",
			"Tesla Model 3",
			"Kia Niro",
			"Honda Jazz",
			"VW Golf",
			"Peugeot 208",
			"Mazda MX-5",
			"Dacia Duster",
			"Ford Focus",
			"Seat Ibiza",
			"Nissan Leaf",
		],
		questions: ["What car do I drive now?", "Which car do I have at the moment?", "What is my current car?"],
	},
	{
		name: "favourite food",
		fact: (v) => `My favourite food is ${v}.`,
		values: [
			"ramen",
			"paella",
			"dumplings",
			"lasagne",
			"falafel",
			"sushi",
			"pierogi",
			"tacos",
			"risotto",
			"curry",
			"pho",
			"moussaka",
			"goulash",
			"bibimbap",
			"couscous",
			"empanadas",
		],
		questions: ["What food do I like best?", "Which food is my favourite right now?", "What is the food I love most?"],
	},
	{
		name: "gym slot",
		fact: (v) => `My gym slot is ${v}.`,
		values: [
			"Monday mornings",
			"Monday evenings",
			"Tuesday mornings",
			"Tuesday evenings",
			"Wednesday mornings",
			"Wednesday evenings",
			"Thursday mornings",
			"Thursday evenings",
			"Friday mornings",
			"Friday evenings",
			"Saturday mornings",
			"Saturday afternoons",
			"Sunday mornings",
			"Sunday afternoons",
		],
		questions: ["When do I go to the gym?", "Which day is my gym session now?", "What is my current gym time?"],
	},
	{
		name: "partner",
		fact: (v) => `My partner is called ${v}.`,
		values: ["Sam", "Alex", "Robin", "Jamie", "Noor", "Mika", "Lena", "Tomas", "Ines", "Yusuf", "Elif", "Kai", "Marta", "Oskar", "Priya", "Sven"],
		questions: ["What is my partner's name?", "Who is my partner now?", "What is my partner called these days?"],
	},
];

/** Attributes stated once and never changed: the noise around the changing ones. */
const STEADY: readonly Attribute[] = [
	{
		name: "sister",
		fact: (v) => `My sister is called ${v}.`,
		values: ["Ana", "Beth", "Carla", "Dora", "Eva", "Freya"],
		questions: ["What is my sister's name?"],
	},
	{
		name: "blood type",
		fact: (v) => `My blood type is ${v}.`,
		values: ["O negative", "A positive", "B positive", "AB negative"],
		questions: ["Which blood type do I have?"],
	},
	{ name: "shoe size", fact: (v) => `My shoe size is ${v}.`, values: ["38", "40", "42", "44", "46"], questions: ["What shoe size do I wear?"] },
	{
		name: "first pet",
		fact: (v) => `My first pet was a ${v}.`,
		values: ["hamster", "goldfish", "tabby cat", "beagle", "parrot"],
		questions: ["What was my first pet?"],
	},
	{ name: "birthday", fact: (v) => `My birthday is in ${v}.`, values: ["March", "June", "October", "December", "April"], questions: ["When is my birthday?"] },
	{
		name: "allergy",
		fact: (v) => `I am allergic to ${v}.`,
		values: ["peanuts", "pollen", "penicillin", "shellfish", "cats"],
		questions: ["What am I allergic to?"],
	},
	{ name: "middle name", fact: (v) => `My middle name is ${v}.`, values: ["Rose", "James", "Maria", "Lee", "Anne"], questions: ["What is my middle name?"] },
];

/** Small talk: questions, which the extractor ignores, so that a session reads like a conversation. */
const SMALL_TALK = [
	"Can you suggest something to do this weekend?",
	"Any ideas for dinner tonight?",
	"Could you remind me what we talked about?",
	"What should I read next?",
	"Do you have a tip for sleeping better?",
	"How do I keep a plant alive?",
];
const REPLIES = ["Noted, thanks for telling me.", "Good to know.", "Thanks, I will keep that in mind.", "Understood."];

export interface Session {
	messages: { role: "user" | "assistant"; content: string }[];
}

export interface Question {
	user: string;
	attribute: string;
	/** "changed": stated two or more times (the last one current); "stated once": changing attribute or noise. */
	kind: "changed" | "stated once";
	question: string;
	current: string;
	/** Earlier values' facts, each contradicted by a later one. */
	stale: string[];
}

export interface EndUser {
	id: string;
	sessions: Session[];
	questions: Question[];
}

/** One end user's sessions: each changes one or two attributes (a new value never used before) and may add noise. */
function endUser(id: string, sessions: number): EndUser {
	const said = new Map<Attribute, string[]>();
	const state = (a: Attribute, value: string) => said.set(a, [...(said.get(a) ?? []), a.fact(value)]);
	const steadyLeft = [...STEADY];
	const out: Session[] = [];
	for (let s = 0; s < sessions; s++) {
		const facts: string[] = [];
		const changes = s === 0 ? 2 : rand() < 0.4 ? 2 : 1;
		const pool = [...CHANGING];
		for (let c = 0; c < changes && pool.length > 0; c++) {
			const a = pool.splice(Math.floor(rand() * pool.length), 1)[0] as Attribute;
			const used = new Set(said.get(a));
			const fresh = a.values.filter((v) => !used.has(a.fact(v)));
			if (fresh.length === 0) continue;
			const value = pick(fresh);
			state(a, value);
			facts.push(a.fact(value));
		}
		if (steadyLeft.length > 0 && rand() < 0.35) {
			const a = steadyLeft.splice(Math.floor(rand() * steadyLeft.length), 1)[0] as Attribute;
			const value = pick(a.values);
			state(a, value);
			facts.push(a.fact(value));
		}
		// Facts come in one or two user turns, each closing on a question the extractor leaves out.
		const turns = facts.length > 1 && rand() < 0.5 ? [facts.slice(0, 1), facts.slice(1)] : [facts];
		out.push({
			messages: turns.flatMap((t) => [
				{ role: "user" as const, content: `${t.join(" ")} ${pick(SMALL_TALK)}` },
				{ role: "assistant" as const, content: pick(REPLIES) },
			]),
		});
	}
	const questions: Question[] = [...said].map(([a, texts]) => ({
		user: id,
		attribute: a.name,
		kind: texts.length > 1 ? "changed" : "stated once",
		question: pick(a.questions),
		current: texts.at(-1) ?? "",
		stale: texts.slice(0, -1),
	}));
	return { id, sessions: out, questions };
}

export function corpus(users: number, sessions: number): EndUser[] {
	return Array.from({ length: users }, (_, u) => endUser(`enduser-${String(u).padStart(3, "0")}`, sessions));
}

const NOUNS = [
	"invoice",
	"ticket",
	"parcel",
	"meeting",
	"recipe",
	"playlist",
	"garden",
	"bicycle",
	"library",
	"concert",
	"passport",
	"kettle",
	"lantern",
	"notebook",
	"umbrella",
	"ladder",
];
const VERBS = ["booked", "moved", "fixed", "cancelled", "shared", "renewed", "painted", "lost", "found", "planned", "returned", "ordered"];
const PLACES = ["Lisbon", "Leeds", "Turin", "Graz", "Bergen", "Tartu", "Split", "Cork", "Basel", "Riga", "Oslo", "Nantes"];
const WHEN = ["on Monday", "last week", "in spring", "yesterday", "at dawn", "in the evening", "before lunch", "on the weekend"];

/** The i-th filler memory of a bulk entity: a distinct one-sentence note. */
export const note = (i: number) => `I ${pick(VERBS)} the ${pick(NOUNS)} in ${pick(PLACES)} ${pick(WHEN)} (note ${i}).`;
const asked = new Set<string>();
/**
 * A search over bulk notes, worded as a user would ask, never asked before in the run: a repeated query's embedding
 * would come from the embedding cache, and a search would skip the embedding call a new question pays.
 */
export function noteQuery(): string {
	for (;;) {
		const q = `Which ${pick(NOUNS)} in ${pick(PLACES)} was ${pick(VERBS)} ${pick(WHEN)}?`;
		if (asked.has(q)) continue;
		asked.add(q);
		return q;
	}
}
