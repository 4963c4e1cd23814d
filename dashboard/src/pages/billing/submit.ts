/** How billing's forms submit: a busy flag and a success or error message, and reading number fields. */

import { useState } from "preact/hooks";
import { messageOf } from "../../components/format";

export type Message = { ok: boolean; text: string } | null;

/** A number field's value; NaN when empty or not a number. */
export const num = (data: FormData, name: string) => {
	const raw = String(data.get(name) ?? "").trim();
	return raw === "" ? Number.NaN : Number(raw);
};

/** Runs a form's submission with busy state and a success or error message. */
export function useSubmit() {
	const [busy, setBusy] = useState(false);
	const [msg, setMsg] = useState<Message>(null);
	const run = async (work: () => Promise<string>) => {
		setBusy(true);
		setMsg(null);
		try {
			setMsg({ ok: true, text: await work() });
		} catch (err) {
			setMsg({ ok: false, text: messageOf(err) });
		} finally {
			setBusy(false);
		}
	};
	return { busy, msg, setMsg, run };
}
