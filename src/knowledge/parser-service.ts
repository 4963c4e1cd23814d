import { z } from "zod";
import type { BinaryKind, ParseResult } from "./documents/types";

const section = z.object({ heading: z.string(), level: z.number().int(), start: z.number().int(), end: z.number().int() });

/** What the parser Worker answers: the same result as the gateway's own parsers. It is deployed on its own, so it is checked. */
const parseResult = z.discriminatedUnion("ok", [
	z.object({
		ok: z.literal(true),
		document: z.object({ text: z.string(), sections: z.array(section).optional(), pages: z.number().int().optional() }),
	}),
	z.object({ ok: z.literal(false), code: z.enum(["unsupported_file", "invalid_file"]), message: z.string() }),
]);

/** The parser Worker's RPC method, which its entrypoint implements (src/parser/document-parser.ts). */
export interface ParserRpc {
	/** The bytes go as a stream: an RPC call's serialized arguments are limited in size, and an upload may be 32 MiB. */
	parse(body: ReadableStream<Uint8Array>, kind: BinaryKind): Promise<unknown>;
}

/**
 * A PDF or Word document parsed by the parser Worker (src/parser/), over the service binding PARSER. The binding is
 * typed from wrangler.toml alone (a plain Fetcher), as `wrangler dev` checks the types against it, so its RPC method
 * is named here, and what it answers is checked.
 */
export async function parseInParserWorker(parser: Fetcher, bytes: Uint8Array, kind: BinaryKind): Promise<ParseResult> {
	const rpc = parser as unknown as ParserRpc;
	return parseResult.parse(await rpc.parse(new Blob([bytes]).stream(), kind));
}
