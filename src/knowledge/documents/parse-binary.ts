import { parseDocx } from "./parse-docx";
import { parsePdf } from "./parse-pdf";
import type { BinaryKind, ParseResult } from "./types";

/**
 * The formats whose libraries are too heavy for the gateway's script (pdf.js and mammoth: about 0.7 MiB gzipped, which
 * every isolate would compile at its start): only the parser Worker (src/parser/) imports this file.
 */
export function parseBinary(bytes: Uint8Array, kind: BinaryKind): Promise<ParseResult> {
	return kind === "pdf" ? parsePdf(bytes) : parseDocx(bytes);
}
