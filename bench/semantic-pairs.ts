// The generated pairs of `npm run bench:semantic-cache`: final user messages that a semantic cache should treat as
// the same question (paraphrases: the answer to one answers the other) and pairs it must not (near misses: mostly the
// same words, another answer). Built from templates and fillers without randomness, so every run scores the same
// pairs. Each pair names its kind, so the report can say which rewordings an embedding model recognizes.

export interface Pair {
	kind: string;
	a: string;
	b: string;
}

/** Questions a user asks again in other words, each with a reordered and a reworded (synonyms) version of its own. */
const QUESTIONS: readonly { base: string; reordered: string; synonyms: string }[] = [
	{
		base: "How do I reverse a list in Python?",
		reordered: "In Python, how do I reverse a list?",
		synonyms: "How can I invert the order of a Python list?",
	},
	{
		base: "What is the capital of France?",
		reordered: "France's capital is which city?",
		synonyms: "Which city is the French capital?",
	},
	{
		base: "How do I delete a local git branch?",
		reordered: "A local git branch: how do I delete it?",
		synonyms: "How do I remove a git branch on my machine?",
	},
	{
		base: "What is the boiling point of water at sea level?",
		reordered: "At sea level, what is the boiling point of water?",
		synonyms: "At what temperature does water boil at sea level?",
	},
	{
		base: "Explain how DNS resolution works.",
		reordered: "How does DNS resolution work? Explain.",
		synonyms: "Describe the way domain names are resolved.",
	},
	{
		base: "Write a haiku about autumn leaves.",
		reordered: "About autumn leaves, write a haiku.",
		synonyms: "Compose a haiku on falling leaves in fall.",
	},
	{
		base: "What are the symptoms of vitamin D deficiency?",
		reordered: "Vitamin D deficiency: what are its symptoms?",
		synonyms: "What signs show that someone lacks vitamin D?",
	},
	{
		base: "How do I center a div horizontally with CSS?",
		reordered: "With CSS, how do I center a div horizontally?",
		synonyms: "How can a div be horizontally centred using CSS?",
	},
	{
		base: "Summarize the plot of Hamlet in three sentences.",
		reordered: "In three sentences, summarize the plot of Hamlet.",
		synonyms: "Give me a three-sentence summary of Hamlet's story.",
	},
	{
		base: "What is the difference between TCP and UDP?",
		reordered: "TCP and UDP: what is the difference between them?",
		synonyms: "How do TCP and UDP differ?",
	},
	{
		base: "How many days are there in a leap year?",
		reordered: "In a leap year, how many days are there?",
		synonyms: "A leap year has how many days?",
	},
	{
		base: "Recommend a good book for learning SQL.",
		reordered: "For learning SQL, recommend a good book.",
		synonyms: "Suggest a decent book to learn SQL from.",
	},
];

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const withoutEnd = (s: string) => s.replace(/[.?!]$/, "");

function paraphrases(): Pair[] {
	return QUESTIONS.flatMap((q) => [
		{
			kind: "case and punctuation",
			a: q.base,
			b: withoutEnd(q.base)
				.toLowerCase()
				.replaceAll(/[,?'’:]/g, ""),
		},
		{ kind: "politeness", a: q.base, b: `Hi! Could you please tell me: ${lowerFirst(withoutEnd(q.base))}? Thanks a lot.` },
		{ kind: "word order", a: q.base, b: q.reordered },
		{ kind: "synonyms", a: q.base, b: q.synonyms },
	]);
}

/** Two fillers of one template, each pair a different answer. */
const NEAR_MISSES: readonly { kind: string; template: (x: string) => string; fillers: readonly (readonly [string, string])[] }[] = [
	{
		kind: "a number",
		template: (x) => `Convert ${x} km to miles.`,
		fillers: [
			["5", "50"],
			["12", "21"],
			["100", "1000"],
			["3.5", "35"],
		],
	},
	{
		kind: "a number",
		template: (x) => `What is ${x} percent of 240?`,
		fillers: [
			["15", "25"],
			["7", "70"],
		],
	},
	{
		kind: "a year",
		template: (x) => `Who won the FIFA World Cup in ${x}?`,
		fillers: [
			["2018", "2022"],
			["1998", "2002"],
			["2010", "2014"],
		],
	},
	{
		kind: "a year",
		template: (x) => `Which film won the Oscar for best picture in ${x}?`,
		fillers: [
			["2019", "2020"],
			["2001", "2011"],
		],
	},
	{
		kind: "a negation",
		template: (x) => `Which foods are ${x} for dogs to eat?`,
		fillers: [["safe", "not safe"]],
	},
	{
		kind: "a negation",
		template: (x) => `Why does my code ${x} compile with the -O2 flag?`,
		fillers: [["not", "still"]],
	},
	{
		kind: "a negation",
		template: (x) => `List the planets that ${x} rings.`,
		fillers: [["have", "have no"]],
	},
	{
		kind: "a negation",
		template: (x) => `Is it ${x} to run a marathon with a cold?`,
		fillers: [["safe", "unsafe"]],
	},
	{
		kind: "a negation",
		template: (x) => `Write a SQL query for the customers who ${x} ordered in March.`,
		fillers: [["have", "have never"]],
	},
	{
		kind: "swapped subjects",
		template: (x) => `Is ${x}?`,
		fillers: [
			["Python faster than Java", "Java faster than Python"],
			["a crocodile bigger than an alligator", "an alligator bigger than a crocodile"],
		],
	},
	{
		kind: "swapped subjects",
		template: (x) => `Translate "good morning" from ${x}.`,
		fillers: [
			["English to German", "German to English"],
			["Spanish to French", "French to Spanish"],
		],
	},
	{
		kind: "swapped subjects",
		template: (x) => `How do I convert ${x} in JavaScript?`,
		fillers: [
			["a string to a number", "a number to a string"],
			["an array to an object", "an object to an array"],
		],
	},
	{
		kind: "another entity",
		template: (x) => `What is the capital of ${x}?`,
		fillers: [
			["Austria", "Australia"],
			["Iceland", "Ireland"],
			["Niger", "Nigeria"],
			["Slovakia", "Slovenia"],
		],
	},
	{
		kind: "another entity",
		template: (x) => `Who wrote the novel ${x}?`,
		fillers: [
			["War and Peace", "Crime and Punishment"],
			["Pride and Prejudice", "Sense and Sensibility"],
		],
	},
	{
		kind: "the opposite action",
		template: (x) => `How do I ${x} a local git branch?`,
		fillers: [
			["create", "delete"],
			["rename", "delete"],
		],
	},
	{
		kind: "the opposite action",
		template: (x) => `How do I ${x} two-factor authentication on my account?`,
		fillers: [["enable", "disable"]],
	},
	{
		kind: "the opposite action",
		template: (x) => `Show me how to ${x} a file with OpenSSL.`,
		fillers: [["encrypt", "decrypt"]],
	},
	{
		kind: "the opposite action",
		template: (x) => `How do I ${x} the font size in VS Code?`,
		fillers: [["increase", "decrease"]],
	},
	{
		kind: "the opposite action",
		template: (x) => `How can I ${x} contacts from a CSV file?`,
		fillers: [["import", "export"]],
	},
	{
		kind: "one detail in a long message",
		template: (x) =>
			`I am planning a trip with my family next spring. We fly from Berlin to Rome on a Tuesday and the first flight lands at 9 am. The connecting flight to Palermo leaves at ${x}. We travel with two children and four suitcases, and we would like to eat lunch at the airport. How long is our layover, and is that enough time for lunch?`,
		fillers: [
			["11 am", "3 pm"],
			["10 am", "1 pm"],
		],
	},
	{
		kind: "one detail in a long message",
		template: (x) =>
			`Here is my situation: I rent an apartment in Munich for 1,200 euros a month, my net salary is ${x} euros a month, and I spend about 400 euros on food and 150 euros on transport. I want to save for a deposit on a flat of my own. How much can I realistically put aside every month, and how long would a 30,000 euro deposit take?`,
		fillers: [
			["2,800", "3,800"],
			["2,500", "4,500"],
		],
	},
	{
		kind: "one detail in a long message",
		template: (x) =>
			`Please review the following plan for our database migration. We will stop the writers, take a snapshot, copy it to the new cluster, replay the binary log, and switch the DNS record. The whole window must fit in ${x} minutes because of our service level agreement with customers. Which step is the riskiest, and what would you do differently?`,
		fillers: [
			["15", "90"],
			["30", "45"],
		],
	},
];

function nearMisses(): Pair[] {
	return NEAR_MISSES.flatMap((t) => t.fillers.map(([x, y]) => ({ kind: t.kind, a: t.template(x), b: t.template(y) })));
}

/** Every pair of the bench: paraphrases should be served from the cache, near misses never. */
export function semanticPairs(): { paraphrases: Pair[]; nearMisses: Pair[] } {
	return { paraphrases: paraphrases(), nearMisses: nearMisses() };
}
