/** Formatting and parsing helpers several pages share, beyond i18n's `fmt`. */

import { lang } from "../i18n";

/** The current language's locale, for Intl formats `fmt` does not offer. */
export const locale = () => (lang.value === "zh" ? "zh-CN" : "en-US");

/** What was thrown, as a message. */
export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A comma-separated field's items, trimmed, empty ones dropped. */
export const splitList = (s: string) =>
	s
		.split(",")
		.map((x) => x.trim())
		.filter(Boolean);
