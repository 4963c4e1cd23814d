import type { ParsedDocument, Section } from "./types";

/**
 * Builds a document's text block by block (paragraphs apart by a blank line) and notes where its headings are, for
 * formats whose structure comes as markup (HTML, Word): each heading is written as a Markdown heading line, so the
 * stored chunk text keeps it visible too.
 */
export class TextBuilder {
	private text = "";
	private readonly sections: Section[] = [];

	/** A paragraph (or a heading when `level` is given); blank text adds nothing. */
	block(content: string, level?: number): void {
		const trimmed = content
			.replace(/[ \t]+\n/g, "\n")
			.replace(/\n{3,}/g, "\n\n")
			.trim();
		if (!trimmed) return;
		if (this.text) this.text += "\n\n";
		if (level !== undefined) {
			const heading = trimmed.replace(/\s+/g, " ");
			this.sections.push({ heading, level, start: this.text.length, end: 0 });
			this.text += `${"#".repeat(level)} ${heading}`;
		} else this.text += trimmed;
	}

	document(): ParsedDocument {
		const { text, sections } = this;
		return sections.length ? { text, sections: closeSections(sections, text.length) } : { text };
	}
}

/** Each section ends where the next heading starts, the last at the end of the text. */
export function closeSections(sections: readonly Section[], length: number): Section[] {
	return sections.map((s, i) => ({ ...s, end: sections[i + 1]?.start ?? length }));
}
