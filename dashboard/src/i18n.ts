import { signal } from "@preact/signals";

export type Lang = "en" | "zh";

const KEY = "edge-gateway.lang";

function initial(): Lang {
	const saved = localStorage.getItem(KEY);
	if (saved === "en" || saved === "zh") return saved;
	return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export const lang = signal<Lang>(initial());

export function setLang(l: Lang): void {
	lang.value = l;
	localStorage.setItem(KEY, l);
	document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
}
document.documentElement.lang = lang.value === "zh" ? "zh-CN" : "en";

/**
 * Each page keeps its own strings: `const t = translator({ en: {...}, zh: {...} })`, the Chinese dictionary
 * typed to have every English key. `t("key")` reads the current language (re-rendering when it changes).
 */
export function translator<K extends string>(dict: { en: Record<K, string>; zh: Record<K, string> }) {
	return (key: K, vars?: Record<string, string | number>): string => {
		let text = dict[lang.value][key] ?? dict.en[key];
		if (vars) for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
		return text;
	};
}

/**
 * US dollars in the current language's conventions, one currency display everywhere ("$" in English, "US$" in
 * Chinese); `compact` for narrow places such as chart axes ("$1.2K", "US$0.0003"). Cents from a cent up; below
 * that, two significant digits: one request's charge is often a fraction of a cent, which a cents-only format (or a
 * fixed six decimals) shows as "-$0.00" or with a different number of decimals on every line.
 */
function usd(n: number, compact: boolean): string {
	const digits: Intl.NumberFormatOptions = compact
		? { notation: "compact", maximumSignificantDigits: 3 }
		: n !== 0 && Math.abs(n) < 0.01
			? { maximumSignificantDigits: 2 }
			: { minimumFractionDigits: 2, maximumFractionDigits: 2 };
	return new Intl.NumberFormat(lang.value === "zh" ? "zh-CN" : "en-US", { style: "currency", currency: "USD", ...digits }).format(n);
}

/** Numbers, money and times in the current language's conventions. */
export const fmt = {
	int: (n: number) => new Intl.NumberFormat(lang.value === "zh" ? "zh-CN" : "en-US").format(n),
	usd: (n: number) => usd(n, false),
	usdCompact: (n: number) => usd(n, true),
	time: (iso: string | number) => new Date(iso).toLocaleString(lang.value === "zh" ? "zh-CN" : "en-US"),
	ms: (n: number | null | undefined) => (n === null || n === undefined ? "–" : `${Math.round(n)} ms`),
};
