import { useState } from "preact/hooks";
import { lang } from "../i18n";

/** Copies `text` to the clipboard, falling back to a selection where the Clipboard API is refused (plain http). */
export function CopyButton({ text, label }: { text: string; label?: string }) {
	const [done, setDone] = useState(false);
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(text);
		} catch {
			const area = document.createElement("textarea");
			area.value = text;
			document.body.append(area);
			area.select();
			document.execCommand("copy");
			area.remove();
		}
		setDone(true);
		setTimeout(() => setDone(false), 1500);
	};
	const zh = lang.value === "zh";
	return (
		<button type="button" class="secondary" onClick={copy} data-testid="copy">
			{done ? (zh ? "已复制" : "Copied") : (label ?? (zh ? "复制" : "Copy"))}
		</button>
	);
}
