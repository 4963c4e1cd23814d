/** The usage CSV export, saved as a file. */

import { request } from "../../api";

/** Downloads a response as a file through a Blob URL: the export needs the Bearer header, which a plain link cannot send. */
export async function download(path: string): Promise<void> {
	const res = await request("GET", path);
	const disposition = res.headers.get("content-disposition") ?? "";
	const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `usage-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.csv`;
	const url = URL.createObjectURL(await res.blob());
	const a = document.createElement("a");
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
