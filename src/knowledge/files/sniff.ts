import { unzipSync } from "fflate";

/**
 * The content type of an upload, read from its bytes: the client's Content-Type is never trusted. It is stored with
 * the file, and ingestion parses by it, so what the Files API says a file is and what file search reads it as are
 * one answer. The name's extension only chooses among text formats the bytes allow.
 */

const OCTET_STREAM = "application/octet-stream";
export const PDF = "application/pdf";
export const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const MAGIC: readonly { bytes: readonly number[]; type: string }[] = [
	{ bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: "image/png" },
	{ bytes: [0xff, 0xd8, 0xff], type: "image/jpeg" },
	{ bytes: [0x47, 0x49, 0x46, 0x38], type: "image/gif" }, // GIF8
];

const TEXT_BY_EXTENSION: Record<string, string> = {
	txt: "text/plain",
	text: "text/plain",
	md: "text/markdown",
	markdown: "text/markdown",
	html: "text/html",
	htm: "text/html",
	csv: "text/csv",
	json: "application/json",
	jsonl: "application/jsonl",
};

/** The types `sniffContentType` gives text, each a format ingestion reads. */
export const TEXT_TYPES: ReadonlySet<string> = new Set(Object.values(TEXT_BY_EXTENSION));

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) => magic.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const PDF_MAGIC = ascii("%PDF-");

/** Readers accept `%PDF-` anywhere in the first KiB (some writers put a byte-order mark or junk before it), as pdf.js does. */
function isPdf(bytes: Uint8Array): boolean {
	const head = Math.min(bytes.length, 1024) - PDF_MAGIC.length;
	for (let at = 0; at <= head; at++) if (bytes[at] === 0x25 && startsWith(bytes, PDF_MAGIC, at)) return true;
	return false;
}

/** `[Content_Types].xml` and `word/document.xml` make a Word document; any other zip (xlsx, epub, jar) is a zip. */
function zipType(bytes: Uint8Array): string {
	const names: string[] = [];
	try {
		// The directory only: the filter declines every entry, so nothing is inflated.
		unzipSync(bytes, {
			filter: (file) => {
				names.push(file.name);
				return false;
			},
		});
	} catch {
		return OCTET_STREAM;
	}
	return names.includes("[Content_Types].xml") && names.includes("word/document.xml") ? DOCX : "application/zip";
}

/**
 * UTF-8 (a BOM allowed) or UTF-16 with its BOM; undefined for anything else, which is binary here. Valid UTF-8 can
 * still be binary (all-ASCII bytes of a format not read here): text has no NUL and few control characters. `stream`
 * says the bytes are a sample that may end inside a character.
 */
export function decodeText(bytes: Uint8Array, stream = false): string | undefined {
	let text: string;
	try {
		const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : undefined;
		text = utf16
			? new TextDecoder(utf16, { fatal: true, ignoreBOM: false }).decode(bytes.subarray(2), { stream })
			: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes, { stream });
	} catch {
		return undefined;
	}
	let control = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 0) return undefined;
		if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
	}
	return control > text.length / 100 ? undefined : text;
}

/**
 * Text is judged by its first 64 KiB: decoding and parsing a whole 32 MB upload would spend a Worker's CPU on a
 * label. A sample that ends inside a character is still valid (the decoder is told more would follow).
 */
const TEXT_SAMPLE_BYTES = 64 * 1024;

interface TextSample {
	text: string;
	/** The sample is the whole file, so JSON can be parsed rather than recognised by its first character. */
	whole: boolean;
}

function textSample(bytes: Uint8Array): TextSample | undefined {
	const whole = bytes.byteLength <= TEXT_SAMPLE_BYTES;
	const text = decodeText(bytes.subarray(0, TEXT_SAMPLE_BYTES), !whole);
	return text === undefined ? undefined : { text, whole };
}

function parsesAsJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

function isJson({ text, whole }: TextSample): boolean {
	const first = text.trimStart()[0];
	if (first !== "{" && first !== "[") return false;
	return !whole || parsesAsJson(text);
}

function isJsonLines({ text, whole }: TextSample): boolean {
	const lines = text.split("\n");
	// The sample's last line may be cut short.
	if (!whole) lines.pop();
	const filled = lines.filter((line) => line.trim() !== "");
	return filled.length > 0 && filled.every(parsesAsJson);
}

/** A page starts so, after comments; a comment cannot run past its `-->`, so no input makes this backtrack. */
const HTML_START = /^\s*(<!--(?:(?!-->)[\s\S])*-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i;

/** Text whose extension the content contradicts (a `.json` that is not JSON) is what its content says. */
function textType(sample: TextSample, filename: string): string {
	const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? "";
	const claimed = TEXT_BY_EXTENSION[extension];
	if (claimed === "application/json" && !isJson(sample)) return textType(sample, "");
	if (claimed === "application/jsonl" && !isJsonLines(sample)) return textType(sample, "");
	if (claimed) return claimed;
	if (isJson(sample)) return "application/json";
	if (HTML_START.test(sample.text.slice(0, 4096))) return "text/html";
	return "text/plain";
}

export function sniffContentType(bytes: Uint8Array, filename: string): string {
	if (isPdf(bytes)) return PDF;
	for (const { bytes: magic, type } of MAGIC) if (startsWith(bytes, magic)) return type;
	// RIFF....WEBP
	if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return zipType(bytes);
	const sample = textSample(bytes);
	return sample === undefined ? OCTET_STREAM : textType(sample, filename);
}
