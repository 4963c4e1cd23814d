/** The dialog with one request's details: tokens, timings, what it was charged and at which price. */

import type { ComponentChildren } from "preact";
import { get } from "../../api";
import type { Token, UsageRow, User } from "../../components/api-types";
import { Async, useLoad } from "../../components/async";
import { CopyButton } from "../../components/copy-button";
import { useModal } from "../../components/hooks";
import { fmt } from "../../i18n";
import { isAdmin, session } from "../../session";
import { CacheHit } from "./cache-hit";
import { StatusBadge } from "./status-badge";
import { t } from "./strings";

interface UsageDetail extends UsageRow {
	charge: { ledger_entry_id: number; amount_usd: number; balance_after_usd: number | null } | null;
	price: { input_usd_per_mtok: number; output_usd_per_mtok: number; cached_input_usd_per_mtok: number | null; request_usd: number } | null;
}

/** The key's and its owner's names, as far as the caller may read them; one that is gone (or not theirs to read) stays a number. */
async function loadNames(d: UsageRow): Promise<{ key: string | null; user: string | null }> {
	const me = session.value;
	const [key, user] = await Promise.all([
		d.token_id === null
			? null
			: get<Token>(`/api/tokens/${d.token_id}`).then(
					(k) => k.name,
					() => null,
				),
		d.user_id === null
			? null
			: isAdmin.value
				? get<User>(`/api/users/${d.user_id}`).then(
						(u) => u.name,
						() => null,
					)
				: me?.userId === d.user_id
					? me.name
					: null,
	]);
	return { key, user };
}

function Named({ id, name }: { id: number | null; name: string | null | undefined }) {
	if (id === null) return <>{t("none")}</>;
	if (!name) return <>#{id}</>;
	return (
		<>
			{name} <span class="muted">#{id}</span>
		</>
	);
}

const yesNo = (b: boolean) => (b ? t("yes") : t("no"));

function Field({ label, children }: { label: string; children: ComponentChildren }) {
	return (
		<div>
			<div class="muted" style={{ fontSize: "0.8rem" }}>
				{label}
			</div>
			<div style={{ overflowWrap: "anywhere" }}>{children}</div>
		</div>
	);
}

export function Detail({ id, channelName, onClose }: { id: string; channelName: (id: number | null) => string; onClose: () => void }) {
	const load = useLoad(async () => {
		const detail = await get<UsageDetail>(`/api/usage/${encodeURIComponent(id)}`);
		return { ...detail, names: await loadNames(detail) };
	}, [id]);
	const ref = useModal();
	return (
		<dialog ref={ref} data-testid="usage-detail" onClose={onClose} aria-labelledby="usage-detail-title">
			<div class="stack">
				<div class="row spread">
					<h2 id="usage-detail-title" style={{ margin: 0 }}>
						{t("detail")}
					</h2>
					<button type="button" class="secondary" onClick={() => ref.current?.close()} data-testid="usage-detail-close">
						{t("close")}
					</button>
				</div>
				<div class="row" style={{ gap: "0.5rem" }}>
					<code data-testid="usage-detail-id">{id}</code>
					<CopyButton text={id} label={t("copyId")} />
				</div>
				<Async load={load}>
					{(d) => (
						<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))" }}>
							<Field label={t("status")}>
								<StatusBadge status={d.status} />
							</Field>
							<Field label={t("errorCode")}>{d.error_code ?? t("none")}</Field>
							<Field label={t("time")}>{fmt.time(d.created_at)}</Field>
							<Field label={t("model")}>{d.model}</Field>
							<Field label={t("upstreamModel")}>{d.upstream_model ?? t("none")}</Field>
							<Field label={t("channel")}>{channelName(d.channel_id)}</Field>
							<Field label={t("attempts")}>{fmt.int(d.attempts)}</Field>
							<Field label={t("endpoint")}>{d.endpoint}</Field>
							<Field label={t("clientRequestId")}>{d.client_request_id ?? t("none")}</Field>
							<Field label={t("key")}>
								<span data-testid="usage-detail-key">
									<Named id={d.token_id} name={d.names.key} />
								</span>
							</Field>
							<Field label={t("user")}>
								<span data-testid="usage-detail-user">
									<Named id={d.user_id} name={d.names.user} />
								</span>
							</Field>
							<Field label={t("promptTokens")}>{fmt.int(d.prompt_tokens)}</Field>
							<Field label={t("completionTokens")}>{fmt.int(d.completion_tokens)}</Field>
							<Field label={t("cachedTokens")}>{fmt.int(d.cached_tokens)}</Field>
							<Field label={t("cost")}>{fmt.usd(d.cost_usd)}</Field>
							<Field label={t("units")}>{d.unit === null ? t("none") : t("unitsLine", { count: fmt.int(d.units), unit: d.unit })}</Field>
							<Field label={t("batch")}>{d.batch_id ?? t("none")}</Field>
							<Field label={t("cache")}>
								<CacheHit row={d} />
							</Field>
							<Field label={t("latency")}>{fmt.ms(d.latency_ms)}</Field>
							<Field label={t("ttfb")}>{fmt.ms(d.ttfb_ms)}</Field>
							<Field label={t("stream")}>{yesNo(d.stream)}</Field>
							<Field label={t("partial")}>{yesNo(d.partial)}</Field>
							<Field label={t("estimated")}>{yesNo(d.estimated)}</Field>
							<Field label={t("charge")}>
								{d.charge ? fmt.usd(d.charge.amount_usd) : t("notCharged")}
								{d.charge && d.charge.balance_after_usd !== null && (
									<div class="muted" style={{ fontSize: "0.8rem" }}>
										{t("balanceAfter")}: {fmt.usd(d.charge.balance_after_usd)}
									</div>
								)}
							</Field>
							<Field label={t("price")}>
								{d.price ? t("priceLine", { input: fmt.usd(d.price.input_usd_per_mtok), output: fmt.usd(d.price.output_usd_per_mtok) }) : t("noPrice")}
							</Field>
						</div>
					)}
				</Async>
			</div>
		</dialog>
	);
}
