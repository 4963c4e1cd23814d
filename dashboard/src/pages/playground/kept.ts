/**
 * The playground's key and model, kept for the browser tab's session: leaving the page and coming back (or reloading)
 * finds them as they were. sessionStorage rather than localStorage: another tab, or tomorrow, starts afresh.
 */

export interface Choice {
	tokenId: string;
	model: string;
	/** The model was typed rather than picked from the key's list: a key's list that lacks it must not replace it. */
	typed: boolean;
}

const KEY = "edge-gateway.playground";

export function keptChoice(): Choice | null {
	try {
		const v: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
		if (typeof v !== "object" || v === null) return null;
		const c: Partial<Record<keyof Choice, unknown>> = v;
		if (typeof c.tokenId !== "string" || typeof c.model !== "string" || typeof c.typed !== "boolean") return null;
		return { tokenId: c.tokenId, model: c.model, typed: c.typed };
	} catch {
		return null;
	}
}

export function keepChoice(choice: Choice): void {
	try {
		sessionStorage.setItem(KEY, JSON.stringify(choice));
	} catch {
		// Storage refused (private mode, quota): the choice just lasts as long as the page.
	}
}
