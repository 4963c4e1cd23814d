import { z } from "zod";

/**
 * An object of a `type` not in `known`. Put after a discriminated union of the known shapes, it lets types the
 * gateway does not model pass as they are while a known type must match its own shape. It aborts on a known
 * type, so that the union reports the known shape's problem rather than this one.
 */
export function otherThan(known: readonly string[]) {
	return z.looseObject({ type: z.string() }).refine((o) => !known.includes(o.type), { abort: true, message: "has the wrong shape for its type" });
}

/** The `type` values of a discriminated union's options, e.g. for otherThan. */
export function typesOf(union: { options: readonly { shape: { type: { value: string } } }[] }): readonly string[] {
	return union.options.map((o) => o.shape.type.value);
}
