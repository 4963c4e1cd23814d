import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** The issue to report: inside a union, the one from the branch that got furthest, as it names the real fault. */
export function deepest(issue: Issue): { path: PropertyKey[]; message: string } {
	if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
	const branch = issue.errors.reduce((best, b) => ((b[0]?.path.length ?? 0) > (best[0]?.path.length ?? 0) ? b : best));
	const inner = branch[0] ? deepest(branch[0]) : undefined;
	return inner && inner.path.length > 0 ? { message: inner.message, path: [...issue.path, ...inner.path] } : issue;
}

/** The first problem of a failed parse as a message that names the field, and that field's path. */
export function describeIssues(issues: readonly Issue[]): { message: string; param: string | undefined } {
	const [first, ...rest] = issues;
	if (!first) return { message: "Invalid request", param: undefined };
	const issue = deepest(first);
	const path = issue.path.map(String).join(".");
	const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? "" : "s"})` : "";
	return { message: `${path ? `'${path}': ` : ""}${issue.message}${more}`, param: path || undefined };
}
