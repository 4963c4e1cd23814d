import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { GatewayError } from "../../errors/gateway-error";

/** Room for the multipart framing and the small fields beside the file: boundaries, part headers, `purpose`. */
const FORM_OVERHEAD_BYTES = 16 * 1024;

/**
 * Reads a multipart body of at most `maxBytes` (plus framing). Workers parse multipart only by buffering the whole
 * body, so the body is cut off as soon as it outgrows that: an honest Content-Length is refused before a byte is
 * read, a missing or false one once the excess arrives. `fields` names what the body should hold, for the error a
 * body that is not a form gets; `param` is the field a 413 names.
 */
export async function readBoundedForm(c: Context<AppEnv>, maxBytes: number, fields: string, param = "file"): Promise<FormData> {
	const contentType = c.req.header("content-type") ?? "";
	if (!/^multipart\/form-data\s*;/i.test(contentType)) {
		throw new GatewayError("invalid_request", `Expected a multipart/form-data body with the fields ${fields}`);
	}
	const tooLarge = () => new GatewayError("body_too_large", `The file exceeds the limit of ${maxBytes} bytes`, { param });
	const bodyLimit = maxBytes + FORM_OVERHEAD_BYTES;
	if (Number(c.req.header("content-length") ?? 0) > bodyLimit) throw tooLarge();
	const body = c.req.raw.body;
	if (!body) throw new GatewayError("invalid_request", `The request has no body; send the fields ${fields}`, { param });
	let seen = 0;
	const bounded = body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, out) {
				seen += chunk.byteLength;
				if (seen > bodyLimit) throw tooLarge();
				out.enqueue(chunk);
			},
		}),
	);
	try {
		return await new Response(bounded, { headers: { "content-type": contentType } }).formData();
	} catch {
		if (seen > bodyLimit) throw tooLarge();
		throw new GatewayError("invalid_request", "The multipart/form-data body could not be read");
	}
}

/** Reads a multipart body (readBoundedForm) whose one file, in the field `file`, may be at most `maxBytes`. */
export async function readForm(c: Context<AppEnv>, maxBytes: number, fields: string): Promise<{ form: FormData; file: File }> {
	const form = await readBoundedForm(c, maxBytes, fields);
	const file = form.get("file");
	if (!(file instanceof File)) throw new GatewayError("invalid_request", "Missing the file: send it as the form field 'file'", { param: "file" });
	if (file.size > maxBytes) throw new GatewayError("body_too_large", `The file exceeds the limit of ${maxBytes} bytes`, { param: "file" });
	return { form, file };
}

/** Reads a multipart upload of one file (see readForm) and its string fields. */
export async function readUpload(c: Context<AppEnv>, maxBytes: number): Promise<{ file: File; fields: Record<string, string> }> {
	const { form, file } = await readForm(c, maxBytes, "'file' and 'purpose'");
	const fields: Record<string, string> = {};
	for (const [name, value] of form) if (typeof value === "string") fields[name] = value;
	return { file, fields };
}
