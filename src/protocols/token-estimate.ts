/**
 * Token counts estimated without a tokenizer, for budget and TPM holds, `/v1/messages/count_tokens`, usage an upstream
 * did not report, and the input tokens announced at the start of a translated Anthropic stream.
 *
 * Why not a real tokenizer (figures in docs/PERFORMANCE.md): `gpt-tokenizer`'s o200k encoding adds 1.1 MiB gzipped
 * to the Worker and ~17 ms to every cold start's compile, then 0.3–0.6 s of CPU to the first request in each isolate
 * that counts (the free plan allows 10 ms a request) and 21 MB of heap, and 0.3–0.5 ms of CPU per KB counted, on the
 * hot path of every request with a budget; and its counts are exact only for OpenAI's models.
 *
 * This follows how o200k cuts text into pieces (a word with the space before it, camelCase halves, numbers by three
 * digits, runs of punctuation, line breaks) and prices each piece by its length and script, with weights fitted
 * against o200k: over 116 texts (English, TypeScript, JSON, Vim's tutor in 30 languages, zod's messages in 60) it
 * gives 0.83–1.45 of o200k's count, median 1.03, where characters / 4 gave 0.35–1.24, median 0.77. It costs about
 * 20–30 µs per KB, no start-up and no memory.
 */

/**
 * Tokens per letter of a word by script, for a word with letters beyond ASCII (its ASCII letters count
 * `ASCII_PER_LETTER` each); the first `NON_ASCII_FREE` of its weight come with its first token.
 */
const SCRIPT = { latin: 0.85, greekCyrillic: 0.35, rtl: 0.5, indic: 0.45, cjk: 0.75, other: 0.55 } as const;
const NON_ASCII_FREE = 1.25;
/** An ASCII word of up to this many letters is usually one token; each letter past it adds this much. */
const ASCII_FREE = 6;
const ASCII_PER_LETTER = 0.35;
/** A run of ASCII punctuation: one token, and this much for each mark past the first. */
const PUNCT_PER_MARK = 0.4;
/** A non-ASCII symbol (dashes, quotes, arrows, box drawing) and a character beyond the BMP (emoji, mostly). */
const SYMBOL = 1.5;
const ASTRAL = 2;

function letterWeight(c: number): number {
	if (c < 0x250 || (c >= 0x1e00 && c < 0x1f00)) return SCRIPT.latin;
	if (c < 0x530) return SCRIPT.greekCyrillic;
	if (c < 0x900) return SCRIPT.rtl;
	if (c < 0x1000) return SCRIPT.indic;
	if ((c >= 0x3040 && c < 0x3100) || (c >= 0x3400 && c < 0xa000) || (c >= 0xac00 && c < 0xd7b0) || (c >= 0xf900 && c < 0xfb00)) return SCRIPT.cjk;
	return SCRIPT.other;
}

/** Non-ASCII characters that are punctuation or symbols, not letters: each is a piece of its own. */
const isSymbol = (c: number) =>
	(c >= 0xa0 && c <= 0xbf) ||
	c === 0xd7 ||
	c === 0xf7 ||
	(c >= 0x2000 && c < 0x2c00) ||
	(c >= 0x3000 && c < 0x3040) ||
	(c >= 0xfe30 && c < 0xfe70) ||
	(c >= 0xff00 && c < 0xff10);

/** What kind of piece the scan is in. */
const Run = { None: 0, Word: 1, Number: 2, Punct: 3, Space: 4 } as const;
type Run = (typeof Run)[keyof typeof Run];

/**
 * One pass over a text's UTF-16 code units, in pieces as o200k cuts them. The current piece: ASCII letters and the
 * weight of other letters (a word), digits, marks, and for whitespace whether it broke a line and how many spaces
 * followed the last break.
 */
class Scan {
	total = 0;
	run: Run = Run.None;
	ascii = 0;
	weight = 0;
	lastLower = false;
	digits = 0;
	marks = 0;
	newline = false;
	spaces = 0;

	endWord(): void {
		const { ascii, weight } = this;
		this.total += weight > 0 ? Math.max(1, 1 + ascii * ASCII_PER_LETTER + weight - NON_ASCII_FREE) : 1 + Math.max(0, ascii - ASCII_FREE) * ASCII_PER_LETTER;
		this.ascii = 0;
		this.weight = 0;
	}

	/** Ends the piece before one of kind `next`. One space, or one mark after no space, joins the word or punctuation that follows it. */
	endRun(next: Run): void {
		const run = this.run;
		if (run === Run.Word) this.endWord();
		else if (run === Run.Number) this.total += Math.ceil(this.digits / 3);
		else if (run === Run.Punct && !(this.marks === 1 && next === Run.Word)) this.total += 1 + (this.marks - 1) * PUNCT_PER_MARK;
		else if (run === Run.Space) this.total += (this.newline ? 1 : 0) + (this.spaces - (next === Run.Word || next === Run.Punct ? 1 : 0) > 0 ? 1 : 0);
		this.run = next;
		this.digits = 0;
		this.marks = 0;
		this.newline = false;
		this.spaces = 0;
	}

	/** Takes the code unit `c`; returns how many more code units it used (the low half of a surrogate pair). */
	take(c: number): number {
		const upper = c >= 65 && c <= 90;
		const lower = c >= 97 && c <= 122;
		if (upper || lower) {
			if (this.run !== Run.Word) this.endRun(Run.Word);
			// camelCase: a capital after a small letter starts a piece of its own.
			else if (upper && this.lastLower) this.endWord();
			this.ascii++;
			this.lastLower = lower;
		} else if (c >= 48 && c <= 57) {
			if (this.run !== Run.Number) this.endRun(Run.Number);
			this.digits++;
		} else if (c === 32 || c === 9 || c === 10 || c === 13) {
			if (this.run !== Run.Space) this.endRun(Run.Space);
			if (c === 10 || c === 13) {
				this.newline = true;
				this.spaces = 0;
			} else this.spaces++;
		} else if (c < 128) {
			if (this.run !== Run.Punct) this.endRun(Run.Punct);
			this.marks++;
		} else if (c >= 0xd800 && c < 0xdc00) {
			this.endRun(Run.None);
			this.total += ASTRAL;
			return 1;
		} else if (isSymbol(c)) {
			this.endRun(Run.None);
			this.total += SYMBOL;
		} else {
			if (this.run !== Run.Word) this.endRun(Run.Word);
			this.weight += letterWeight(c);
			this.lastLower = true;
		}
		return 0;
	}
}

/** The estimated tokens of a text. */
export function estimateTokens(text: string): number {
	const scan = new Scan();
	for (let i = 0; i < text.length; i++) i += scan.take(text.charCodeAt(i));
	scan.endRun(Run.None);
	return Math.ceil(scan.total);
}
