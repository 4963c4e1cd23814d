import { htmlToText } from "./html-to-text";
import { type ParseResult, parseFailure } from "./types";

/**
 * Word documents with mammoth, imported on first use (132 KiB gzipped). Mammoth gives semantic HTML (headings from
 * Word's heading styles, lists, tables, footnotes), which the HTML reader turns into text with sections.
 */
export async function parseDocx(bytes: Uint8Array): Promise<ParseResult> {
	const { default: mammoth } = await import("mammoth");
	// Mammoth's browser build (which wrangler bundles) reads `arrayBuffer`, its Node build (which vitest loads) `buffer`;
	// JSZip under both takes an ArrayBuffer.
	const arrayBuffer = bytes.slice().buffer;
	const input = { arrayBuffer, buffer: arrayBuffer };
	try {
		const { value } = await mammoth.convertToHtml(input);
		return { ok: true, document: htmlToText(value) };
	} catch (err) {
		const name = err instanceof Error ? err.name : "";
		return parseFailure("invalid_file", `The Word document could not be read${name && name !== "Error" ? ` (${name})` : ""}.`);
	}
}
