import { signal } from "@preact/signals";

export type Theme = "light" | "dark";
const KEY = "edge-gateway.theme";

function initial(): Theme {
	const saved = localStorage.getItem(KEY);
	if (saved === "light" || saved === "dark") return saved;
	return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export const theme = signal<Theme>(initial());
document.documentElement.dataset.theme = theme.value;

export function setTheme(t: Theme): void {
	theme.value = t;
	localStorage.setItem(KEY, t);
	document.documentElement.dataset.theme = t;
}
