import { unzipSync } from "fflate";

/**
 * The type of a file from its bytes (and, for text, its name): the Files API stores this, never the type a client
 * declared, and the parser trusts only it.
 */

export const DOCUMENT_TYPES = {
	pdf: "application/pdf",
	docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	html: "text/html",
	markdown: "text/markdown",
	csv: "text/csv",
	json: "application/json",
	text: "text/plain",
	binary: "application/octet-stream",
} as const;

export type DocumentType = (typeof DOCUMENT_TYPES)[keyof typeof DOCUMENT_TYPES];

const startsWith = (bytes: Uint8Array, ascii: string, at = 0) => {
	if (bytes.length < at + ascii.length) return false;
	for (let i = 0; i < ascii.length; i++) if (bytes[at + i] !== ascii.charCodeAt(i)) return false;
	return true;
};

/** Readers accept `%PDF-` anywhere in the first KiB (some writers put a byte-order mark or junk before it), as pdf.js does. */
function isPdf(bytes: Uint8Array): boolean {
	const head = Math.min(bytes.length, 1024) - 5;
	for (let at = 0; at <= head; at++) if (bytes[at] === 0x25 && startsWith(bytes, "%PDF-", at)) return true;
	return false;
}

/** The entry names of a zip, read from its directory without inflating anything; undefined when it is no valid zip. */
function zipEntries(bytes: Uint8Array): string[] | undefined {
	const names: string[] = [];
	try {
		unzipSync(bytes, {
			filter: (file) => {
				names.push(file.name);
				return false;
			},
		});
	} catch {
		return undefined;
	}
	return names;
}

/** `[Content_Types].xml` and `word/document.xml` make a Word document; any other zip (xlsx, epub, jar) is not one. */
function isDocx(bytes: Uint8Array): boolean {
	const names = zipEntries(bytes) ?? [];
	return names.includes("[Content_Types].xml") && names.includes("word/document.xml");
}

/** UTF-8 (a BOM allowed) or UTF-16 with its BOM; undefined for anything else, which is binary to us. */
function decodeText(bytes: Uint8Array): string | undefined {
	let text: string;
	try {
		if (startsWith(bytes, "\xff\xfe")) text = new TextDecoder("utf-16le", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(2));
		else if (startsWith(bytes, "\xfe\xff")) text = new TextDecoder("utf-16be", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(2));
		else text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		return undefined;
	}
	// Valid UTF-8 can still be binary (all-ASCII bytes of a format we do not read): text has no NUL and few control characters.
	let control = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0) return undefined;
		if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
	}
	return control > text.length / 100 ? undefined : text;
}

const extensionOf = (filename: string) => {
	const dot = filename.lastIndexOf(".");
	return dot < 0 ? "" : filename.slice(dot + 1).toLowerCase();
};

/** A page starts so, after comments; a comment cannot run past its `-->`, so no input makes this backtrack. */
const HTML_START = /^\s*(<!--(?:(?!-->)[\s\S])*-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i;

const TEXT_TYPES: Record<string, DocumentType> = {
	html: DOCUMENT_TYPES.html,
	htm: DOCUMENT_TYPES.html,
	md: DOCUMENT_TYPES.markdown,
	markdown: DOCUMENT_TYPES.markdown,
	csv: DOCUMENT_TYPES.csv,
	json: DOCUMENT_TYPES.json,
};

/** Which text format: the name's extension says, else the declared type (a name without one), else plain text. */
function textType(text: string, filename: string, declared: string | undefined): DocumentType {
	if (HTML_START.test(text.slice(0, 4096))) return DOCUMENT_TYPES.html;
	const extension = extensionOf(filename);
	if (extension) return TEXT_TYPES[extension] ?? DOCUMENT_TYPES.text;
	const named = declared?.split(";")[0]?.trim().toLowerCase();
	return Object.values(TEXT_TYPES).find((t) => t === named) ?? DOCUMENT_TYPES.text;
}

export interface Sniffed {
	type: DocumentType;
	/** The decoded text, for a text type: the parser need not decode it again. */
	text?: string;
}

/**
 * The type of a file's content: by magic bytes for PDF and DOCX, by decoding for text, else binary. The declared
 * type only tells text formats apart when the name has no extension; it never makes bytes something they are not.
 */
export function sniff(bytes: Uint8Array, filename: string, declared?: string): Sniffed {
	if (isPdf(bytes)) return { type: DOCUMENT_TYPES.pdf };
	if (startsWith(bytes, "PK\x03\x04")) return { type: isDocx(bytes) ? DOCUMENT_TYPES.docx : DOCUMENT_TYPES.binary };
	const text = decodeText(bytes);
	return text === undefined ? { type: DOCUMENT_TYPES.binary } : { type: textType(text, filename, declared), text };
}

export const sniffContentType = (bytes: Uint8Array, filename: string, declared?: string): DocumentType => sniff(bytes, filename, declared).type;
