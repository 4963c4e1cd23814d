/** A millisecond timestamp as the API shows it: ISO 8601, or null when there is none. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
