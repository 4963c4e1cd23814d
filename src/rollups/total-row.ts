/**
 * Each bucket has one total row: model '*' with 0 for the ids, so that its latency percentiles are computed over
 * all of the bucket's requests rather than averaged from its groups. A client may send any model name, '*'
 * included, so a logged '*' is rolled up under STAR_ALIAS: otherwise a request with no key, user or channel
 * would collide with the total row's primary key and fail the whole rollup.
 */
export const TOTAL_MODEL = "*";
export const STAR_ALIAS = "[*]";

/** The model name a raw model is rolled up under. */
export const rollupModel = (model: string): string => (model === TOTAL_MODEL ? STAR_ALIAS : model);
