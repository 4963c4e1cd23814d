/** D1 reports constraint failures only in the message text; drizzle wraps it with the cause attached. */
export function isUniqueViolation(err: unknown): boolean {
	for (let e: unknown = err; e instanceof Error; e = e.cause) {
		if (/UNIQUE constraint failed/i.test(e.message)) return true;
	}
	return false;
}
