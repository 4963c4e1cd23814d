import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import { parseBinary } from "../knowledge/documents/parse-binary";
import type { ParseResult } from "../knowledge/documents/types";
import type { ParserRpc } from "../knowledge/parser-service";

const binaryKind = z.enum(["pdf", "docx"]);

/**
 * The parser Worker (`edge-gateway-parser`, configured by src/parser/wrangler.toml): it reads PDF and Word documents
 * for the gateway's ingestion queue, called over the service binding PARSER. It is a Worker of its own because
 * workerd compiles every module of a script when an isolate starts: in the gateway's script, pdf.js and mammoth would
 * slow the start of every isolate, those that only relay chat included. It has no bindings and no public URL.
 */
export default class DocumentParser extends WorkerEntrypoint implements ParserRpc {
	async parse(body: ReadableStream<Uint8Array>, kind: string): Promise<ParseResult> {
		const bytes = new Uint8Array(await new Response(body).arrayBuffer());
		return parseBinary(bytes, binaryKind.parse(kind));
	}
}
