/** The filter form above the usage table; it applies its draft on submit. */

import type { Channel } from "../../components/api-types";
import { useFilterDraft } from "../../components/hooks";
import { IdSelect } from "../../components/id-select";
import { type Filters, NO_FILTERS, STATUSES } from "./filters";
import { t } from "./strings";

/** A date and time field at its natural width (the browser's, in the page's language), never wider than the form. */
const DATE_INPUT = { width: "auto", maxWidth: "100%" };

export function FilterForm({
	value,
	admin,
	channels,
	onApply,
}: {
	value: Filters;
	admin: boolean;
	channels: Channel[] | undefined;
	onApply: (f: Filters) => void;
}) {
	const { draft, setDraft, set, submit } = useFilterDraft(value, onApply);
	return (
		<form class="card stack" onSubmit={submit} data-testid="usage-filters" aria-label={t("filters")}>
			<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))" }}>
				<label>
					{t("model")}
					<input name="model" value={draft.model} onInput={set("model")} placeholder={t("modelHint")} data-testid="filter-model" />
				</label>
				<label>
					{t("status")}
					<select name="status" value={draft.status} onChange={set("status")} data-testid="filter-status">
						<option value="">{t("statusAll")}</option>
						<option value="ok">{t("statusOk")}</option>
						<option value="error">{t("statusError")}</option>
						{STATUSES.map((s) => (
							<option key={s} value={s}>
								{s}
							</option>
						))}
					</select>
				</label>
				<label>
					{t("keyId")}
					<input name="token_id" inputMode="numeric" pattern="\d*" value={draft.token_id} onInput={set("token_id")} data-testid="filter-key" />
				</label>
				<label htmlFor="usage-filter-channel">
					{t("channelId")}
					{channels ? (
						<IdSelect
							id="usage-filter-channel"
							name="channel_id"
							items={channels}
							value={draft.channel_id}
							onChange={(v) => setDraft({ ...draft, channel_id: v })}
							allLabel={t("channelAll")}
							testid="filter-channel"
						/>
					) : (
						<input
							id="usage-filter-channel"
							name="channel_id"
							inputMode="numeric"
							pattern="\d*"
							value={draft.channel_id}
							onInput={set("channel_id")}
							data-testid="filter-channel"
						/>
					)}
				</label>
				{admin && (
					<label>
						{t("userId")}
						<input name="user_id" inputMode="numeric" pattern="\d*" value={draft.user_id} onInput={set("user_id")} data-testid="filter-user" />
					</label>
				)}
			</div>
			{/* The time range beside the buttons, not in the grid: a grid column is narrower than a date and time need,
			    which cut off their ends ("mm/dd/yyyy, --:--" without its AM/PM) at desktop and at phone width. */}
			<div class="row" style={{ alignItems: "flex-end" }}>
				<label>
					{t("from")}
					<input name="from" type="datetime-local" value={draft.from} onInput={set("from")} data-testid="filter-from" style={DATE_INPUT} />
				</label>
				<label>
					{t("to")}
					<input name="to" type="datetime-local" value={draft.to} onInput={set("to")} data-testid="filter-to" style={DATE_INPUT} />
				</label>
				<div class="row">
					<button type="submit" data-testid="filter-apply">
						{t("apply")}
					</button>
					<button type="button" class="secondary" onClick={() => onApply(NO_FILTERS)} data-testid="filter-clear">
						{t("clear")}
					</button>
				</div>
			</div>
		</form>
	);
}
