/**
 * The content type of an upload, read from its bytes: the client's Content-Type is never trusted, since parsing
 * and serving both follow this answer. The name's extension only chooses among text formats the bytes allow.
 */

const OCTET_STREAM = "application/octet-stream";
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

const MAGIC: readonly { bytes: readonly number[]; type: string }[] = [
	{ bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], type: "application/pdf" }, // %PDF-
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

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) => magic.every((b, i) => bytes[at + i] === b);

const WORD_DOCUMENT = [...new TextEncoder().encode("word/document.xml")];

/** A zip (PK\3\4) holds a Word document when it has a `word/document.xml` entry (entry names are stored in the clear). */
function zipType(bytes: Uint8Array): string {
	const w = 0x77;
	for (let at = bytes.indexOf(w); at !== -1; at = bytes.indexOf(w, at + 1)) {
		if (startsWith(bytes, WORD_DOCUMENT, at)) return DOCX;
	}
	return "application/zip";
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

function utf8Sample(bytes: Uint8Array): TextSample | undefined {
	const sample = bytes.subarray(0, TEXT_SAMPLE_BYTES);
	if (sample.includes(0)) return undefined;
	const whole = sample.byteLength === bytes.byteLength;
	try {
		return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(sample, { stream: !whole }), whole };
	} catch {
		return undefined;
	}
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

const looksLikeHtml = (text: string) => /^\s*(<!doctype html|<html[\s>])/i.test(text);

/** Text whose extension the content contradicts (a `.json` that is not JSON) is what its content says. */
function textType(sample: TextSample, filename: string): string {
	const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? "";
	const claimed = TEXT_BY_EXTENSION[extension];
	if (claimed === "application/json" && !isJson(sample)) return textType(sample, "");
	if (claimed === "application/jsonl" && !isJsonLines(sample)) return textType(sample, "");
	if (claimed) return claimed;
	if (isJson(sample)) return "application/json";
	if (looksLikeHtml(sample.text)) return "text/html";
	return "text/plain";
}

export function sniffContentType(bytes: Uint8Array, filename: string): string {
	for (const { bytes: magic, type } of MAGIC) if (startsWith(bytes, magic)) return type;
	// RIFF....WEBP
	if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return zipType(bytes);
	const sample = utf8Sample(bytes);
	return sample === undefined ? OCTET_STREAM : textType(sample, filename);
}
