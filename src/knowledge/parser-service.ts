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

/** A PDF or Word document parsed by the parser Worker (src/parser/), over the service binding PARSER. */
export async function parseInParserWorker(parser: Env["PARSER"], bytes: Uint8Array, kind: BinaryKind): Promise<ParseResult> {
	return parseResult.parse(await parser.parse(new Blob([bytes]).stream(), kind));
}
