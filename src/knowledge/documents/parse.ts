import { htmlToText } from "./html-to-text";
import { markdownSections } from "./markdown-sections";
import { DOCUMENT_TYPES, sniff } from "./sniff";
import { type BinaryParser, type ParsedDocument, type ParseResult, parseFailure } from "./types";

export interface ParseHint {
	filename: string;
	/** What the client declared; the bytes decide (see `sniffContentType`). */
	contentType?: string;
}

const ok = (document: ParsedDocument): ParseResult => ({ ok: true, document });

function parseJson(text: string): ParseResult {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return parseFailure("invalid_file", "The JSON file does not parse.");
	}
	// Minified JSON is one line with no place to cut; indented, each value is a line of its own.
	return ok({ text: text.includes("\n") ? text : JSON.stringify(value, null, 2) });
}

function parseText(type: string, text: string): ParseResult {
	if (type === DOCUMENT_TYPES.html) return ok(htmlToText(text));
	if (type === DOCUMENT_TYPES.json) return parseJson(text);
	if (type === DOCUMENT_TYPES.markdown) {
		const sections = markdownSections(text);
		return ok(sections.length ? { text, sections } : { text });
	}
	return ok({ text });
}

async function parseBytes(bytes: Uint8Array, hint: ParseHint, binary: BinaryParser): Promise<ParseResult> {
	const { type, text } = sniff(bytes, hint.filename, hint.contentType);
	if (type === DOCUMENT_TYPES.pdf) return binary(bytes, "pdf");
	if (type === DOCUMENT_TYPES.docx) return binary(bytes, "docx");
	if (text === undefined) {
		return parseFailure("unsupported_file", "The file is not a type file search reads (PDF, Word, HTML, Markdown, text, CSV or JSON).");
	}
	return parseText(type, text.replace(/\r\n?/g, "\n"));
}

/**
 * A file's text and headings, or why it has none; nothing here throws on bad input. PDF and Word documents go to
 * `binary` (the parser Worker, in the gateway), whose errors propagate.
 */
export async function parseDocument(bytes: Uint8Array, hint: ParseHint, binary: BinaryParser): Promise<ParseResult> {
	if (bytes.length === 0) return parseFailure("invalid_file", "The file is empty.");
	const result = await parseBytes(bytes, hint, binary);
	if (result.ok && result.document.text.trim() === "") {
		return parseFailure("invalid_file", result.document.pages ? "The PDF has no text layer (a scan needs OCR first)." : "The file has no text.");
	}
	return result;
}
