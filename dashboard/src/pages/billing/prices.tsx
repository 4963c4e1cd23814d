/** The operator's price list, per model and optionally per channel, with a form to set one. */

import type { RefObject } from "preact";
import { useState } from "preact/hooks";
import { api, get } from "../../api";
import type { Price } from "../../components/api-types";
import { Async, useLoad } from "../../components/async";
import { DataTable } from "../../components/data-table";
import { Field } from "../../components/field";
import { locale } from "../../components/format";
import { fmt } from "../../i18n";
import { Section, SubmitRow } from "./section";
import { t } from "./strings";
import { useSubmit } from "./submit";

/** Prices are small and exact (0.075 per 1M tokens): up to six decimals rather than fmt.usd's two. */
const exactUsd = (n: number) =>
	new Intl.NumberFormat(locale(), {
		style: "currency",
		currency: "USD",
		minimumFractionDigits: 2,
		maximumFractionDigits: 6,
	}).format(n);

interface PriceDraft {
	model: string;
	channel_id: string;
	input: string;
	output: string;
	cached: string;
	cache_write: string;
	request: string;
}

interface NumberField {
	key: Exclude<keyof PriceDraft, "model">;
	label: Parameters<typeof t>[0];
	testid: string;
	required?: boolean;
	/** "asInput": empty reads as the input price. */
	placeholder?: "asInput" | "0";
}

/** The form's number fields, after the model: the channel (an id) and the prices (USD, any precision). */
const NUMBER_FIELDS: NumberField[] = [
	{ key: "channel_id", label: "channelIdOptional", testid: "channel" },
	{ key: "input", label: "inputPrice", testid: "input", required: true },
	{ key: "output", label: "outputPrice", testid: "output", required: true },
	{ key: "cached", label: "cachedPrice", testid: "cached", placeholder: "asInput" },
	{ key: "cache_write", label: "cacheWritePrice", testid: "cache-write", placeholder: "asInput" },
	{ key: "request", label: "requestPrice", testid: "request", placeholder: "0" },
];

const EMPTY_PRICE: PriceDraft = { model: "", channel_id: "", input: "", output: "", cached: "", cache_write: "", request: "" };

const draftOf = (p: Price): PriceDraft => ({
	model: p.model,
	channel_id: p.channel_id === null ? "" : String(p.channel_id),
	input: String(p.input_usd_per_mtok),
	output: String(p.output_usd_per_mtok),
	cached: p.cached_input_usd_per_mtok === null ? "" : String(p.cached_input_usd_per_mtok),
	cache_write: p.cache_write_usd_per_mtok === null ? "" : String(p.cache_write_usd_per_mtok),
	request: p.request_usd ? String(p.request_usd) : "",
});

/** A price seeded at install starts at the epoch: "1/1/1970" would only puzzle, so it says when it really began. */
const since = (from: string) => (Date.parse(from) <= 0 ? <span class="muted">{t("sinceInstall")}</span> : fmt.time(from));

/** The price form's model field, in the middle of the screen and focused, ready to type in. */
export function goToPriceForm(modelInput: HTMLInputElement | null): void {
	modelInput?.scrollIntoView({ block: "center" });
	modelInput?.focus({ preventScroll: true });
}

/**
 * The form comes before the list, which grows with every model: setting a price is what the operator comes here
 * for. `modelInput` is its first field, which the page's "Set a price" button and a click on a row bring into view.
 */
export function Prices({ modelInput }: { modelInput: RefObject<HTMLInputElement | null> }) {
	const [version, setVersion] = useState(0);
	const load = useLoad(() => get<{ data: Price[] }>("/api/prices"), [version]);
	const [draft, setDraft] = useState<PriceDraft>(EMPTY_PRICE);
	const { busy, msg, setMsg, run } = useSubmit();
	const set = (key: keyof PriceDraft) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
	const optional = (s: string) => (s.trim() === "" ? null : Number(s));

	const submit = (e: Event) => {
		e.preventDefault();
		const model = draft.model.trim();
		const body = {
			input_usd_per_mtok: Number(draft.input),
			output_usd_per_mtok: Number(draft.output),
			cached_input_usd_per_mtok: optional(draft.cached),
			cache_write_usd_per_mtok: optional(draft.cache_write),
			request_usd: optional(draft.request) ?? 0,
			channel_id: optional(draft.channel_id),
		};
		if (!model || Object.values(body).some((v) => v !== null && !Number.isFinite(v))) {
			setMsg({ ok: false, text: t("invalidAmount") });
			return;
		}
		void run(async () => {
			await api<Price>("PUT", `/api/prices/${encodeURIComponent(model)}`, body);
			setVersion((v) => v + 1);
			return t("priceSaved", { model });
		});
	};

	const optionalCell = (v: number | null) => (v === null ? <span class="muted">{t("asInput")}</span> : exactUsd(v));

	return (
		<Section title={t("prices")} hint={t("pricesHint")} testid="prices">
			<form class="stack" onSubmit={submit} data-testid="price-form">
				<h3 style={{ margin: 0, fontSize: "1rem" }}>{t("setPrice")}</h3>
				<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))" }}>
					<Field label={t("model")}>
						<input ref={modelInput} value={draft.model} onInput={set("model")} required maxLength={200} data-testid="price-model" />
					</Field>
					{NUMBER_FIELDS.map((f) => (
						<Field key={f.key} label={t(f.label)}>
							<input
								value={draft[f.key]}
								onInput={set(f.key)}
								type="number"
								min={f.key === "channel_id" ? "1" : "0"}
								step={f.key === "channel_id" ? "1" : "any"}
								required={f.required}
								placeholder={f.placeholder === "asInput" ? t("asInput") : f.placeholder}
								data-testid={`price-${f.testid}`}
							/>
						</Field>
					))}
				</div>
				<SubmitRow busy={busy} label={t("savePrice")} testid="price-submit" msg={msg} msgTestId="price-message">
					<button type="button" class="secondary" onClick={() => setDraft(EMPTY_PRICE)}>
						{t("clear")}
					</button>
				</SubmitRow>
			</form>
			<Async load={load}>
				{(p) => (
					<DataTable
						rows={p.data ?? []}
						rowKey={(row) => row.id}
						rowTestId={() => "price-row"}
						onRowClick={(row) => {
							setDraft(draftOf(row));
							goToPriceForm(modelInput.current);
						}}
						empty={t("noPrices")}
						columns={[
							{ id: "model", head: t("model"), cell: (row) => row.model },
							{
								id: "channel",
								head: t("channel"),
								cell: (row) => (row.channel_id === null ? <span class="muted">{t("general")}</span> : `#${row.channel_id}`),
							},
							{ id: "input", head: t("inputPrice"), num: true, cell: (row) => exactUsd(row.input_usd_per_mtok) },
							{ id: "output", head: t("outputPrice"), num: true, cell: (row) => exactUsd(row.output_usd_per_mtok) },
							{ id: "cached", head: t("cachedPrice"), num: true, cell: (row) => optionalCell(row.cached_input_usd_per_mtok) },
							{ id: "write", head: t("cacheWritePrice"), num: true, cell: (row) => optionalCell(row.cache_write_usd_per_mtok) },
							{ id: "request", head: t("requestPrice"), num: true, cell: (row) => exactUsd(row.request_usd) },
							{ id: "since", head: t("since"), cell: (row) => since(row.valid_from) },
						]}
					/>
				)}
			</Async>
		</Section>
	);
}
