/** The operator's price list, per model and optionally per channel, with a form to set one. */

import { useState } from "preact/hooks";
import { api, get } from "../../api";
import type { Price } from "../../components/api-types";
import { Async, useLoad } from "../../components/async";
import { locale } from "../../components/format";
import { fmt } from "../../i18n";
import { Notice, Section } from "./section";
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

export function Prices() {
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
			<Async load={load}>
				{(p) =>
					(p.data ?? []).length === 0 ? (
						<div class="state empty">{t("noPrices")}</div>
					) : (
						<div class="table-wrap">
							<table>
								<thead>
									<tr>
										<th>{t("model")}</th>
										<th>{t("channel")}</th>
										<th class="num">{t("inputPrice")}</th>
										<th class="num">{t("outputPrice")}</th>
										<th class="num">{t("cachedPrice")}</th>
										<th class="num">{t("cacheWritePrice")}</th>
										<th class="num">{t("requestPrice")}</th>
										<th>{t("since")}</th>
									</tr>
								</thead>
								<tbody>
									{p.data.map((row) => (
										<tr
											key={row.id}
											class="clickable"
											data-testid="price-row"
											tabIndex={0}
											onClick={() => setDraft(draftOf(row))}
											onKeyDown={(e) => {
												if (e.key === "Enter") setDraft(draftOf(row));
											}}
										>
											<td>{row.model}</td>
											<td>{row.channel_id === null ? <span class="muted">{t("general")}</span> : `#${row.channel_id}`}</td>
											<td class="num">{exactUsd(row.input_usd_per_mtok)}</td>
											<td class="num">{exactUsd(row.output_usd_per_mtok)}</td>
											<td class="num">{optionalCell(row.cached_input_usd_per_mtok)}</td>
											<td class="num">{optionalCell(row.cache_write_usd_per_mtok)}</td>
											<td class="num">{exactUsd(row.request_usd)}</td>
											<td>{fmt.time(row.valid_from)}</td>
										</tr>
									))}
								</tbody>
							</table>
						</div>
					)
				}
			</Async>
			<form class="stack" onSubmit={submit} data-testid="price-form">
				<h3 style={{ margin: 0, fontSize: "1rem" }}>{t("setPrice")}</h3>
				<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))" }}>
					<label>
						{t("model")}
						<input value={draft.model} onInput={set("model")} required maxLength={200} data-testid="price-model" />
					</label>
					<label>
						{t("channelIdOptional")}
						<input value={draft.channel_id} onInput={set("channel_id")} type="number" min="1" step="1" data-testid="price-channel" />
					</label>
					<label>
						{t("inputPrice")}
						<input value={draft.input} onInput={set("input")} type="number" min="0" step="any" required data-testid="price-input" />
					</label>
					<label>
						{t("outputPrice")}
						<input value={draft.output} onInput={set("output")} type="number" min="0" step="any" required data-testid="price-output" />
					</label>
					<label>
						{t("cachedPrice")}
						<input value={draft.cached} onInput={set("cached")} type="number" min="0" step="any" placeholder={t("asInput")} data-testid="price-cached" />
					</label>
					<label>
						{t("cacheWritePrice")}
						<input
							value={draft.cache_write}
							onInput={set("cache_write")}
							type="number"
							min="0"
							step="any"
							placeholder={t("asInput")}
							data-testid="price-cache-write"
						/>
					</label>
					<label>
						{t("requestPrice")}
						<input value={draft.request} onInput={set("request")} type="number" min="0" step="any" placeholder="0" data-testid="price-request" />
					</label>
				</div>
				<div class="row">
					<button type="submit" disabled={busy} data-testid="price-submit">
						{busy ? t("saving") : t("savePrice")}
					</button>
					<button type="button" class="secondary" onClick={() => setDraft(EMPTY_PRICE)}>
						{t("clear")}
					</button>
				</div>
				<Notice msg={msg} testid="price-message" />
			</form>
		</Section>
	);
}
