// The dashboard's strings tables, read from its sources: every `translator({ en: {...}, zh: {...} })` call, so
// that a table added anywhere is checked without being listed here. The tables are plain object literals; each
// is cut out of its file (strings and comments skipped while matching braces) and evaluated as such.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface StringsTable {
	file: string;
	en: Record<string, string>;
	zh: Record<string, string>;
}

const ROOT = join("dashboard", "src");

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
	);
}

/** The index just past the literal, comment or bracketed group that starts at `i`. */
function skip(text: string, i: number): number {
	const c = text[i];
	if (c === '"' || c === "'" || c === "`") {
		let j = i + 1;
		while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
		return j + 1;
	}
	if (text.startsWith("//", i)) return text.indexOf("\n", i) + 1 || text.length;
	if (text.startsWith("/*", i)) return text.indexOf("*/", i) + 2;
	if (c === "{" || c === "(") {
		const close = c === "{" ? "}" : ")";
		let j = i + 1;
		while (j < text.length && text[j] !== close) j = skip(text, j);
		return j + 1;
	}
	return i + 1;
}

/** The source with its comments blanked, so that a comment naming translator is not taken for a call. */
function withoutComments(text: string): string {
	let out = "";
	for (let i = 0; i < text.length; ) {
		const comment = text.startsWith("//", i) || text.startsWith("/*", i);
		const end = comment || `"'\``.includes(text[i] ?? "") ? skip(text, i) : i + 1;
		out += comment ? " ".repeat(end - i) : text.slice(i, end);
		i = end;
	}
	return out;
}

/** Each table's English and Chinese strings, by file. */
export function stringsTables(): StringsTable[] {
	const tables: StringsTable[] = [];
	for (const file of sources(ROOT)) {
		const text = withoutComments(readFileSync(file, "utf8"));
		for (const call of text.matchAll(/\btranslator(?:<[^(]*>)?\(\s*/g)) {
			const open = (call.index ?? 0) + call[0].length;
			if (text[open] !== "{") continue; // translator's own definition
			const literal = text.slice(open, skip(text, open));
			const table = new Function(`return (${literal});`)() as { en: Record<string, string>; zh: Record<string, string> };
			tables.push({ file, en: table.en, zh: table.zh });
		}
	}
	return tables;
}

const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
const PLACEHOLDER = /\{\w+\}/g;
/** Whether a value says something in words, beyond its placeholders. */
const worded = (value: string) => /[A-Za-z]{2}/.test(value.replace(PLACEHOLDER, ""));
/** A text's parts: what " · " separates, and sentences; a part may be data (an upstream's error) beside translated words. */
const parts = (text: string) => text.split(/\s+·\s+|(?<=[。！？；])\s*/).filter((p) => p.trim() !== "");
/** A value as a pattern, each `{placeholder}` standing for anything (captured, or not). */
const pattern = (value: string, hole: string) =>
	new RegExp(
		`^${value
			.split(PLACEHOLDER)
			.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
			.join(hole)}$`,
		"s",
	);

/**
 * What "an English string from the tables" looks like on a page in Chinese mode, from the English values whose
 * Chinese differs (product names, units and codes read the same in both and are left out that way):
 * - a whole part of a text equal to one of them, its `{placeholders}` standing for anything ("14 req");
 * - one of their words left inside a Chinese part ("每分钟 tokens"). A word that a Chinese value carries
 *   capitalised (Bearer, HTTP, CSV) is a name and allowed; lower-case English in Chinese is not.
 */
export function englishDetector(tables: StringsTable[]): (text: string) => string | undefined {
	const english = tables.flatMap((t) =>
		Object.entries(t.en)
			.filter(([key, en]) => t.zh[key] !== en && worded(en))
			.map(([, en]) => en),
	);
	// A part the Chinese keeps as it is ("HTTP {status}" of "Upstream answer · HTTP {status}") is not English left over.
	const whole = tables
		.flatMap((t) => Object.entries(t.en).flatMap(([key, en]) => parts(en).filter((part) => worded(part) && !parts(t.zh[key] ?? "").includes(part))))
		.map((en) => pattern(en, ".+?"));
	const names = new Set(tables.flatMap((t) => Object.values(t.zh).flatMap((zh) => zh.match(/\b[A-Z][A-Za-z]+\b/g) ?? [])));
	const vocabulary = new Set(english.flatMap((en) => en.replace(PLACEHOLDER, " ").match(/\b[A-Za-z]{3,}\b/g) ?? []).map((w) => w.toLowerCase()));
	// A Chinese part's `{placeholders}` hold data (a user's name, a model): only its own words are checked. The
	// template that explains most of the part wins, so that "输出 {output}" does not swallow a trailing "tokens".
	const templates = tables
		.flatMap((t) => Object.values(t.zh).flatMap(parts))
		.filter((zh) => zh.includes("{") && CJK.test(zh))
		.sort((a, b) => b.replace(PLACEHOLDER, "").length - a.replace(PLACEHOLDER, "").length)
		.map((zh) => pattern(zh, "(.+?)"));
	const ownWords = (part: string): string => {
		const match = templates.map((re) => re.exec(part)).find((m) => m !== null);
		return match ? match.slice(1).reduce((rest, data) => rest.replace(data, " "), part) : part;
	};
	const check = (part: string): string | undefined => {
		if (whole.some((re) => re.test(part))) return part;
		if (!CJK.test(part)) return undefined;
		// Quoted names (“dashboard key”) are the user's data too.
		const bare = ownWords(part).replace(/“[^”]*”/g, " ");
		// Words only: a run with digits, dots, dashes, slashes or underscores is a model, a path or a code.
		const words = bare.split(/[^\w./-]+/).filter((w) => /^[A-Za-z]+$/.test(w));
		const foreign = words.find((w) => vocabulary.has(w.toLowerCase()) && !names.has(w));
		return foreign === undefined ? undefined : `${foreign} in "${part}"`;
	};
	return (raw: string) => {
		const text = raw.replace(/\s+/g, " ").trim();
		if (text === "") return undefined;
		return parts(text)
			.map(check)
			.find((found) => found !== undefined);
	};
}

/** In-page code (a string: the test's tsconfig has no DOM types) listing the visible texts and text attributes of the page. */
export const VISIBLE_TEXTS = `(() => {
	const shown = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
	const texts = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		// translate="no" marks the user's own text (a conversation's messages): data, in whatever language it was written.
		if (!el || el.closest("script, style, code, pre, [translate=no]") || !shown(el)) continue;
		texts.push(n.textContent ?? "");
	}
	for (const el of document.querySelectorAll("[placeholder], [title], [aria-label]")) {
		if (!shown(el) || el.closest("code, pre")) continue;
		for (const a of ["placeholder", "title", "aria-label"]) if (el.hasAttribute(a)) texts.push(el.getAttribute(a));
	}
	return texts;
})()`;
