import { closeSections } from "./text-builder";
import type { Section } from "./types";

/**
 * The headings of a Markdown text as CommonMark reads them: ATX (`## Title`) and setext (a line underlined with `===`
 * or `---`), none inside a fenced code block.
 */

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function markdownSections(text: string): Section[] {
	const found: Section[] = [];
	let fence: string | undefined;
	let offset = 0;
	/** The previous line, while it can still be a setext heading's text. */
	let previous: { text: string; start: number } | undefined;
	for (const line of text.split("\n")) {
		const start = offset;
		offset += line.length + 1;
		const fenceMark = FENCE.exec(line)?.[1];
		if (fence !== undefined) {
			if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
			continue;
		}
		if (fenceMark !== undefined) {
			fence = fenceMark;
			previous = undefined;
			continue;
		}
		const atx = ATX.exec(line);
		const underline = SETEXT.exec(line)?.[1];
		if (atx?.[1] !== undefined) {
			found.push({ heading: (atx[2] ?? "").trim(), level: atx[1].length, start: start + line.length - line.trimStart().length, end: 0 });
			previous = undefined;
		} else if (underline !== undefined && previous !== undefined) {
			found.push({ heading: previous.text, level: underline[0] === "=" ? 1 : 2, start: previous.start, end: 0 });
			previous = undefined;
		} else {
			const trimmed = line.trim();
			previous = trimmed ? { text: trimmed, start: start + line.length - line.trimStart().length } : undefined;
		}
	}
	return closeSections(
		found.filter((s) => s.heading !== ""),
		text.length,
	);
}
