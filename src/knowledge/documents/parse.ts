import { DOCX, decodeText, PDF, TEXT_TYPES } from "../files/sniff";
import { htmlToText } from "./html-to-text";
import { markdownSections } from "./markdown-sections";
import { type BinaryParser, type ParsedDocument, type ParseResult, parseFailure } from "./types";

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
	if (type === "text/html") return ok(htmlToText(text));
	if (type === "application/json") return parseJson(text);
	if (type === "text/markdown") {
		const sections = markdownSections(text);
		return ok(sections.length ? { text, sections } : { text });
	}
	return ok({ text });
}

async function parseBytes(bytes: Uint8Array, contentType: string, binary: BinaryParser): Promise<ParseResult> {
	if (contentType === PDF) return binary(bytes, "pdf");
	if (contentType === DOCX) return binary(bytes, "docx");
	const text = TEXT_TYPES.has(contentType) ? decodeText(bytes) : undefined;
	if (text === undefined) {
		return parseFailure("unsupported_file", "The file is not a type file search reads (PDF, Word, HTML, Markdown, text, CSV or JSON).");
	}
	return parseText(contentType, text.replace(/\r\n?/g, "\n"));
}

/**
 * A file's text and headings, or why it has none; nothing here throws on bad input. `contentType` is the one the
 * Files API sniffed from the bytes when they were uploaded (`sniffContentType`), never the client's. PDF and Word
 * documents go to `binary` (the parser Worker, in the gateway), whose errors propagate.
 */
export async function parseDocument(bytes: Uint8Array, contentType: string, binary: BinaryParser): Promise<ParseResult> {
	if (bytes.length === 0) return parseFailure("invalid_file", "The file is empty.");
	const result = await parseBytes(bytes, contentType, binary);
	if (result.ok && result.document.text.trim() === "") {
		return parseFailure("invalid_file", result.document.pages ? "The PDF has no text layer (a scan needs OCR first)." : "The file has no text.");
	}
	return result;
}
