import { z } from "zod";

/** The `:id` of a resource in a path. */
export const idParam = z.object({ id: z.coerce.number().int().positive() });

/** A resource id in a query. */
export const positiveId = z.coerce.number().int().positive();
