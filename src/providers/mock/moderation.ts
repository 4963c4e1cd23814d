/** OpenAI's moderation categories; those an image can be judged for too. */
const CATEGORIES = [
	"harassment",
	"harassment/threatening",
	"hate",
	"hate/threatening",
	"illicit",
	"illicit/violent",
	"self-harm",
	"self-harm/intent",
	"self-harm/instructions",
	"sexual",
	"sexual/minors",
	"violence",
	"violence/graphic",
] as const;
const IMAGE_CATEGORIES = new Set<string>(["self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"]);

/** The words that flag a text, by category: enough for a test or a demo to see the shape of a flagged answer. */
const FLAGGING: Readonly<Record<string, RegExp>> = {
	violence: /\b(kill|murder|attack|stab)\w*/i,
	"violence/graphic": /\b(gore|bloodbath)\b/i,
	hate: /\bhate\w*/i,
	harassment: /\b(idiot|loser|stupid)\b/i,
	"self-harm": /\b(suicide|self-harm)\b/i,
	illicit: /\b(meth|counterfeit)\b/i,
};

type Part = { kind: "text"; text: string } | { kind: "image" };

function partsOf(item: unknown): Part | undefined {
	if (typeof item === "string") return { kind: "text", text: item };
	if (typeof item !== "object" || item === null) return undefined;
	const part = item as { type?: unknown; text?: unknown };
	if (part.type === "text" && typeof part.text === "string") return { kind: "text", text: part.text };
	return part.type === "image_url" ? { kind: "image" } : undefined;
}

/** What is judged together: each string of a list alone; a multimodal list (text and image parts) as one input. */
function inputsOf(input: unknown): Part[][] {
	if (!Array.isArray(input)) return [[partsOf(input)].filter((p) => p !== undefined)];
	if (input.every((i) => typeof i === "string")) return input.map((i) => [{ kind: "text", text: i }]);
	return [input.map(partsOf).filter((p) => p !== undefined)];
}

function judge(parts: Part[]) {
	const text = parts.map((p) => (p.kind === "text" ? p.text : "")).join("\n");
	const types = [...new Set(parts.map((p) => p.kind))];
	const categories: Record<string, boolean> = {};
	const scores: Record<string, number> = {};
	const applied: Record<string, string[]> = {};
	for (const c of CATEGORIES) {
		categories[c] = FLAGGING[c]?.test(text) ?? false;
		scores[c] = categories[c] ? 0.97 : 0.0001;
		applied[c] = types.filter((t) => t === "text" || IMAGE_CATEGORIES.has(c));
	}
	return { flagged: Object.values(categories).some(Boolean), categories, category_scores: scores, category_applied_input_types: applied };
}

/** OpenAI's moderation answer, deterministic: a few words flag their category (`kill` violence, `hate` hate…). */
export function mockModeration(body: Record<string, unknown>, model: string): Response {
	if (body.input === undefined)
		return Response.json({ error: { message: "input is required", type: "invalid_request_error", param: "input" } }, { status: 400 });
	return Response.json({ id: `modr-mock-${crypto.randomUUID()}`, model, results: inputsOf(body.input).map(judge) });
}
