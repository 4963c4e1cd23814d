/** What the parsers give the chunker: plain text, and where its headings are. */

/** A heading and the text it leads, up to the next heading of any level (char offsets into the document's text). */
export interface Section {
	heading: string;
	/** 1 for a title (`#`, `<h1>`, Word's "heading 1"), up to 6. */
	level: number;
	start: number;
	end: number;
}

export interface ParsedDocument {
	text: string;
	sections?: Section[];
	/** PDFs only. */
	pages?: number;
}

/**
 * Why a file gave no text: `unsupported_file` when its type is not one we read (an image, an archive, a binary),
 * `invalid_file` when it claims a type we read but its bytes are broken (a truncated PDF, JSON that does not parse).
 */
export type ParseFailureCode = "unsupported_file" | "invalid_file";

export type ParseResult = { ok: true; document: ParsedDocument } | { ok: false; code: ParseFailureCode; message: string };

export const parseFailure = (code: ParseFailureCode, message: string): ParseResult => ({ ok: false, code, message });

/** The formats parsed outside the gateway's script, by the parser Worker (see `parse-binary.ts`). */
export type BinaryKind = "pdf" | "docx";

/** Parses a PDF or Word document: the parser Worker's RPC in the gateway, `parseBinary` itself where size does not matter. */
export type BinaryParser = (bytes: Uint8Array, kind: BinaryKind) => Promise<ParseResult>;
