/**
 * What of a question's wording the semantic cache matches exactly rather than by similarity: its numbers, in order,
 * and how many negations it holds. An embedding places "convert 5 km to miles" next to "convert 50 km to miles" and
 * "which foods are safe for dogs" next to "… not safe …" (one word of many differs), and a long message with one
 * changed figure is closer still (docs/PERFORMANCE.md, "Semantic cache: paraphrases and near misses"); a rewording
 * of the same question keeps both. English number and negation words only: in other languages digits still count.
 */

const NUMBER_WORDS = new Set(
	(
		"zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen " +
		"eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion " +
		"first second third fourth fifth sixth seventh eighth ninth tenth half twice double triple dozen"
	).split(" "),
);
const NEGATIONS = new Set("not no never none nobody nothing nowhere neither nor without cannot".split(" "));

/** Words with their inner apostrophes ("isn't" stays one word), numbers with their separators ("3.5", "2,800"). */
const TOKEN = /\p{N}+(?:[.,]\p{N}+)*|\p{L}+(?:['’]\p{L}+)*/gu;
const DIGITS = /^\p{N}/u;

export interface Literals {
	numbers: string[];
	negations: number;
}

export function literalsOf(text: string): Literals {
	const numbers: string[] = [];
	let negations = 0;
	for (const [token] of text.normalize("NFKC").toLowerCase().matchAll(TOKEN)) {
		if (DIGITS.test(token) || NUMBER_WORDS.has(token)) numbers.push(token);
		else if (NEGATIONS.has(token) || /n['’]t$/.test(token)) negations++;
	}
	return { numbers, negations };
}
