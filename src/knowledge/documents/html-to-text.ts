import { decodeEntities } from "./html-entities";
import { TextBuilder } from "./text-builder";
import type { ParsedDocument } from "./types";

/**
 * HTML to text with its headings and paragraph breaks, for retrieval: no DOM, one pass over the tags. A full parser
 * (node-html-parser) would add 98 KiB gzipped to the Worker to build a tree we only walk once; this reads real
 * pages well enough because all it needs is which text is shown, where blocks start and which blocks are headings.
 */

/** Elements whose content is never shown as text. */
const HIDDEN = new Set(["script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "canvas", "select", "textarea"]);
/** Elements that start and end a block of text. */
const BLOCK = new Set([
	"address",
	"article",
	"aside",
	"blockquote",
	"body",
	"caption",
	"details",
	"dialog",
	"div",
	"fieldset",
	"figcaption",
	"figure",
	"footer",
	"form",
	"header",
	"hgroup",
	"hr",
	"html",
	"legend",
	"main",
	"nav",
	"p",
	"pre",
	"section",
	"summary",
]);
/** Lists and tables are one block of lines each, so their items stay together as one paragraph. */
const GROUP = new Set(["ul", "ol", "dl", "table"]);
/** Each starts a line of its group. */
const LINE = new Set(["li", "dt", "dd", "tr"]);
const HEADING = /^h([1-6])$/;

const TOKEN = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<[!?][^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</y;

export function htmlToText(html: string): ParsedDocument {
	const out = new TextBuilder();
	// The open block as finished lines and the line being written; strings are only appended to, never read back
	// (a long list stays linear).
	let lines: string[] = [];
	let line = "";
	/** The line is empty or ends with a space: the next white space adds nothing. */
	let atSpace = true;
	/** The line holds no more than a list item's "- ". */
	let lineStarted = false;
	let heading: number | undefined;
	let hidden: string | undefined;
	let pre = 0;
	let groups = 0;
	let cells = 0;
	let inCell = false;

	const append = (s: string) => {
		if (!s) return;
		line += s;
		atSpace = s.endsWith(" ");
		lineStarted ||= s.trim() !== "";
	};
	const trimSpaces = () => {
		if (atSpace) line = line.replace(/ +$/, "");
	};
	const flush = () => {
		if (lineStarted) lines.push(line);
		out.block(lines.join("\n"), heading);
		lines = [];
		line = "";
		atSpace = true;
		lineStarted = false;
	};
	/** Starts a line, unless one just started (a list item's paragraph stays on the item's line). */
	const newLine = () => {
		if (!lineStarted) return;
		trimSpaces();
		lines.push(line);
		line = "";
		atSpace = true;
		lineStarted = false;
	};
	const text = (raw: string) => {
		const decoded = decodeEntities(raw);
		if (pre > 0) append(decoded);
		else {
			const collapsed = decoded.replace(/\s+/g, " ");
			// White space between words is one space however many elements it spans, as a browser shows it.
			append(atSpace && collapsed.startsWith(" ") ? collapsed.slice(1) : collapsed);
		}
	};
	const tag = (name: string, closing: boolean) => {
		const level = HEADING.exec(name)?.[1];
		if (level !== undefined) {
			flush();
			heading = closing ? undefined : Number(level);
		} else if (name === "br") newLine();
		else if (name === "td" || name === "th") {
			inCell = !closing;
			if (!closing && cells++ > 0) {
				trimSpaces();
				append(" | ");
			}
		} else if (LINE.has(name)) {
			cells = 0;
			inCell = false;
			if (!closing) {
				newLine();
				if (name === "li") {
					line = "- ";
					atSpace = true;
				}
			}
		} else if (GROUP.has(name)) {
			if (closing) groups = Math.max(0, groups - 1);
			else groups++;
			if (groups === (closing ? 0 : 1)) flush();
		} else if (BLOCK.has(name)) {
			if (name === "pre") pre = Math.max(0, pre + (closing ? -1 : 1));
			// Inside a table cell a paragraph stays on the row's line; inside a list item it is a new line of the list.
			if (inCell) text(" ");
			else if (groups > 0) newLine();
			else flush();
		}
	};

	TOKEN.lastIndex = 0;
	for (let m = TOKEN.exec(html); m !== null && m[0].length > 0; m = TOKEN.exec(html)) {
		const name = m[2]?.toLowerCase();
		if (name === undefined) {
			// Comments, doctypes and processing instructions show nothing; a lone "<" is text.
			if (hidden === undefined && (m[0][0] !== "<" || m[0] === "<")) text(m[0]);
			continue;
		}
		const closing = m[1] === "/";
		if (hidden !== undefined) {
			// Pages often leave <head> open: the body starts anyway, as browsers read it.
			if ((closing && name === hidden) || (hidden === "head" && name === "body")) hidden = undefined;
		} else if (HIDDEN.has(name)) {
			if (!closing && !(m[3]?.trimEnd().endsWith("/") ?? false)) hidden = name;
		} else tag(name, closing);
	}
	flush();
	return out.document();
}
