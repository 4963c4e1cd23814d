import type { Units } from "../protocols/usage";

export type { Units };

/**
 * Requests priced by what they make rather than by tokens alone: images, seconds of audio, characters of speech.
 * A price row keeps nano-USD per unit by name (`prices.unit_nusd`); a request's usage names one unit and a count.
 *
 * Names: `image`, `image:<size>`, `image:<size>:<quality>` (e.g. `image:1024x1024:hd`), priced by the most specific
 * one the row has; `audio_second` (transcription and translation, by the audio's length); `character` (speech, by
 * the input's length).
 */

/** Unit names as the price API takes them: lowercase words, sizes and qualities separated by colons. */
export const UNIT_NAME = /^(image(:[a-z0-9_]+){0,2}|audio_second|character)$/;

/** nano-USD per unit of `name` on a price: its own entry, else its less specific names' (`image:1024x1024:hd` → `image:1024x1024` → `image`); 0 if none. */
export function unitPrice(perUnit: Readonly<Record<string, number>> | null, name: string): number {
	if (!perUnit) return 0;
	for (let n = name; ; n = n.slice(0, n.lastIndexOf(":"))) {
		const price = perUnit[n];
		if (price !== undefined) return price;
		if (!n.includes(":")) return 0;
	}
}

/** The image unit of a generation: by size and quality when the request names them. */
export function imageUnit(size: string | undefined, quality: string | undefined): string {
	const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, "_");
	if (!size) return "image";
	return quality ? `image:${clean(size)}:${clean(quality)}` : `image:${clean(size)}`;
}
