/**
 * A search hit's text with the query's words marked: the text is split around the words and each piece rendered as
 * a text node (a marked one inside <mark>), so that nothing in a user's document is ever parsed as HTML.
 */

/** Words too common to be what a reader looks for; marking them would mark most of any text. */
const STOP = new Set("a an and are as at be by do does for from how in is it its of on or that the this to was what when where which who why with".split(" "));

/** The query's words worth marking (one CJK character is a word), longest first so that "breakers" wins over "break". */
export function queryWords(query: string): string[] {
	const words = query.toLowerCase().match(/\p{Script=Han}|[\p{L}\p{N}]{2,}/gu) ?? [];
	return [...new Set(words)].filter((w) => !STOP.has(w)).sort((a, b) => b.length - a.length);
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A word of the query where a word of the text starts, whatever ending follows ("breaker" in "breakers"). */
const atWordStart = (w: string) => (/\p{Script=Han}/u.test(w) ? literal(w) : `(?<![\\p{L}\\p{N}])${literal(w)}`);

/** The text in pieces, odd ones being the query's words as they appear in it. */
export function splitByWords(text: string, words: string[]): string[] {
	if (words.length === 0) return [text];
	return text.split(new RegExp(`(${words.map(atWordStart).join("|")})`, "giu"));
}

export function Highlighted({ text, query }: { text: string; query: string }) {
	return <>{splitByWords(text, queryWords(query)).map((piece, i) => (i % 2 === 1 ? <mark key={i}>{piece}</mark> : piece))}</>;
}
