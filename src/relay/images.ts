import { imageUnit } from "../billing/units";
import { parseShallowRead } from "../lib/json-depth";
import { type ImagesAnswer, imagesTokens, readImagesAnswer, withDataUrls } from "../protocols/openai/images";
import { estimateTokens } from "../protocols/token-estimate";
import { UnreadableAnswer } from "../providers/types";
import { dispatch } from "./dispatch";
import { textOf } from "./read-answer";
import { recordAnswer } from "./record";
import { answered, type RelayRequest } from "./request";

/** An image generation (JSON) or edit (a form whose Blob values are the images and the mask), as the route read it. */
export interface ImageCall {
	op: "images" | "image_edits";
	model: string;
	prompt: string;
	/** What the channel is sent, in OpenAI's shape: the client's parameters, those the gateway does not know included. */
	body: Record<string, unknown>;
	/** The images asked for (`n`). */
	count: number;
	size?: string | undefined;
	quality?: string | undefined;
	responseFormat?: "url" | "b64_json" | undefined;
	user?: string | undefined;
}

/** Reads an images answer as FailoverInput.read: a 2xx that is not OpenAI's ImagesResponse fails over. */
async function readImages(upstream: Response): Promise<ImagesAnswer> {
	const answer = readImagesAnswer(parseShallowRead(await textOf(upstream)));
	if (!answer) throw new UnreadableAnswer("it is not OpenAI's images response");
	return answer;
}

/**
 * Images through the channels whose provider makes them, as any relayed request: admitted, limited, failed over and
 * metered. Billed per image returned, by the unit of its size and quality (src/billing/units.ts; the answer's own
 * size and quality when it names them, as gpt-image models do for `auto`), plus the tokens the upstream reports.
 */
export async function relayImages(req: RelayRequest, call: ImageCall): Promise<Response> {
	const promptTokens = () => estimateTokens(call.prompt);
	const done = await dispatch(req, {
		op: call.op,
		model: call.model,
		stream: false,
		bodyFor: () => ({ ...call.body }),
		estimate: () => ({ promptTokens: promptTokens(), outputTokens: 0, units: { name: imageUnit(call.size, call.quality), count: call.count } }),
		read: readImages,
		user: call.user,
	});
	const answer = done.answer;
	const units = { name: imageUnit(answer.size ?? call.size, answer.quality ?? call.quality), count: answer.data.length };
	// The count of images is exact whether or not the upstream reports tokens: nothing is estimated.
	recordAnswer(req, { ...(imagesTokens(answer) ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0 }), units }, promptTokens, 0);
	const out = call.responseFormat === "url" ? withDataUrls(answer) : answer;
	return answered(req, JSON.stringify(out), { "content-type": "application/json" });
}
