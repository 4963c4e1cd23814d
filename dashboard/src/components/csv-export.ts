/** The CSV exports (usage, audit), saved as files. */

import { useState } from "preact/hooks";
import { request } from "../api";
import { messageOf } from "./format";

/** Downloads a response as a file through a Blob URL: the export needs the Bearer header, which a plain link cannot send. */
export async function download(path: string): Promise<void> {
	const res = await request("GET", path);
	const disposition = res.headers.get("content-disposition") ?? "";
	const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `export-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.csv`;
	const url = URL.createObjectURL(await res.blob());
	const a = document.createElement("a");
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * An export button's state: `run` downloads `path`, `busy` while it does, `error` (formatted by `describe`) when it
 * failed.
 */
export function useCsvExport(describe: (message: string) => string) {
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const run = async (path: string) => {
		setBusy(true);
		setError(null);
		try {
			await download(path);
		} catch (err) {
			setError(describe(messageOf(err)));
		} finally {
			setBusy(false);
		}
	};
	return { busy, error, run };
}
