import { lang, setLang, translator } from "../i18n";
import { setTheme, theme } from "../theme";

const t = translator({ en: { dark: "Dark", light: "Light" }, zh: { dark: "深色", light: "浅色" } });

/** Language and theme switches, on every page including sign-in. */
export function Switches() {
	return (
		<div class="switches">
			<button type="button" class="secondary" data-testid="lang" onClick={() => setLang(lang.value === "en" ? "zh" : "en")}>
				{lang.value === "en" ? "中文" : "English"}
			</button>
			<button type="button" class="secondary" data-testid="theme" onClick={() => setTheme(theme.value === "dark" ? "light" : "dark")}>
				{theme.value === "dark" ? t("light") : t("dark")}
			</button>
		</div>
	);
}
