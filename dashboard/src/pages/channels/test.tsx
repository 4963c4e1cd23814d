/**
 * Testing a channel: a tiny request through it with its first model, and the outcome shown under the button, with
 * the URL the gateway called and the start of the upstream's answer, so that a wrong base URL shows as one.
 */

import { useState } from "preact/hooks";
import { api, query } from "../../api";
import type { Channel } from "../../components/api-types";
import { fmt } from "../../i18n";
import { t } from "./strings";

interface TestResult {
	ok: boolean;
	model: string;
	/** Null for channels reached without a URL (the built-in mock, Workers AI). */
	url: string | null;
	status: number | null;
	latency_ms: number;
	error: string | null;
	/** The start of the upstream's answer, secrets redacted. */
	body: string | null;
	/** The channel's models with no price on it, and what requests for them get. */
	unpriced_models: string[];
	unpriced_policy: "refused" | "free";
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

function okText(result: TestResult): string {
	const ms = fmt.ms(result.latency_ms);
	const missing = result.unpriced_models;
	if (missing.length === 0) return t("testOk", { ms });
	return t(missing.length === 1 ? "testUnpricedOne" : "testUnpriced", { ms, n: missing.length, models: missing.join(", ") });
}

export function TestOutcome({ id, entry }: { id: number; entry: TestEntry | undefined }) {
	if (!entry || entry.pending) return null;
	const result = "result" in entry ? entry.result : undefined;
	const ok = result?.ok === true;
	const unpriced = ok && result.unpriced_models.length > 0;
	const text = result
		? result.ok
			? okText(result)
			: t("testFail", { error: result.error ?? `HTTP ${result.status ?? "–"}` })
		: t("testFail", { error: "error" in entry ? entry.error : "" });
	return (
		<>
			<span
				class={`badge ${unpriced ? "warn" : ok ? "ok" : "error"}`}
				data-testid={`channel-test-result-${id}`}
				role="status"
				style={{ whiteSpace: "normal", maxWidth: "16rem", borderRadius: "6px" }}
			>
				{text}
			</span>
			{unpriced && (
				<small class="muted" data-testid={`channel-test-unpriced-${id}`} style={{ display: "block", maxWidth: "12rem" }}>
					{result.unpriced_policy === "free" ? t("unpricedFree") : t("unpricedRefused")} <a href="/billing">{t("setPrices")}</a>
				</small>
			)}
			{result?.url && (
				<code data-testid={`channel-test-url-${id}`} style={{ display: "block", maxWidth: "12rem", fontSize: "0.75rem", whiteSpace: "normal" }}>
					POST {result.url}
				</code>
			)}
			{result?.body && (
				<details style={{ maxWidth: "12rem", fontSize: "0.8rem" }}>
					<summary>{t("testAnswer", { status: result.status ?? "–" })}</summary>
					<pre data-testid={`channel-test-body-${id}`} style={{ margin: "0.25rem 0 0", padding: "0.4rem", wordBreak: "break-all", maxHeight: "12rem" }}>
						{result.body}
					</pre>
				</details>
			)}
		</>
	);
}
