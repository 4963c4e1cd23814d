/** Testing a channel: a tiny request through it with its first model, and the outcome shown under the button. */

import { useState } from "preact/hooks";
import { api, query } from "../../api";
import type { Channel } from "../../components/api-types";
import { fmt } from "../../i18n";
import { t } from "./strings";

interface TestResult {
	ok: boolean;
	model: string;
	status: number | null;
	latency_ms: number;
	error: string | null;
}

export type TestEntry = { pending: true } | { pending: false; result: TestResult } | { pending: false; error: string };

/** Each channel's last test, by channel id; `test` runs one and then refreshes that channel's health. */
export function useTests(refreshHealth: (id: number) => Promise<void>) {
	const [tests, setTests] = useState<Record<number, TestEntry>>({});

	const test = async (c: Channel) => {
		setTests((prev) => ({ ...prev, [c.id]: { pending: true } }));
		let entry: TestEntry;
		try {
			entry = { pending: false, result: await api<TestResult>("POST", `/api/channels/${c.id}/test${query({ model: c.models[0] })}`) };
		} catch (err) {
			entry = { pending: false, error: (err as Error).message };
		}
		setTests((prev) => ({ ...prev, [c.id]: entry }));
		void refreshHealth(c.id);
	};

	return { tests, test };
}

export function TestOutcome({ id, entry }: { id: number; entry: TestEntry | undefined }) {
	if (!entry || entry.pending) return null;
	const ok = "result" in entry && entry.result.ok;
	const text =
		"result" in entry
			? entry.result.ok
				? t("testOk", { ms: fmt.ms(entry.result.latency_ms) })
				: t("testFail", { error: entry.result.error ?? `HTTP ${entry.result.status ?? "–"}` })
			: t("testFail", { error: entry.error });
	return (
		<span
			class={`badge ${ok ? "ok" : "error"}`}
			data-testid={`channel-test-result-${id}`}
			role="status"
			style={{ whiteSpace: "normal", maxWidth: "16rem", borderRadius: "6px" }}
		>
			{text}
		</span>
	);
}
