/** The filter form above the audit table; it applies its draft on submit. */

import { useFilterDraft } from "../../components/hooks";
import { type Filters, NO_FILTERS } from "./filters";
import { t } from "./strings";

const DATE_INPUT = { width: "auto", maxWidth: "100%" };
const ACTORS = ["operator", "user", "key", "system"] as const;
const RESULTS = ["success", "failure", "denied"] as const;

export function FilterForm({ value, admin, onApply }: { value: Filters; admin: boolean; onApply: (f: Filters) => void }) {
	const { draft, set, submit } = useFilterDraft(value, onApply);
	return (
		<form class="card stack" onSubmit={submit} data-testid="audit-filters" aria-label={t("filters")}>
			<div class="form-grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))" }}>
				<label>
					{t("action")}
					<input name="action" value={draft.action} onInput={set("action")} placeholder={t("actionHint")} data-testid="audit-filter-action" />
				</label>
				<label>
					{t("actor")}
					<select name="actor_type" value={draft.actor_type} onChange={set("actor_type")} data-testid="audit-filter-actor">
						<option value="">{t("actorAll")}</option>
						{ACTORS.map((a) => (
							<option key={a} value={a}>
								{t(a)}
							</option>
						))}
					</select>
				</label>
				<label>
					{t("result")}
					<select name="result" value={draft.result} onChange={set("result")} data-testid="audit-filter-result">
						<option value="">{t("resultAll")}</option>
						{RESULTS.map((r) => (
							<option key={r} value={r}>
								{t(r)}
							</option>
						))}
					</select>
				</label>
				{admin && (
					<label>
						{t("userId")}
						<input name="user_id" inputMode="numeric" pattern="\d*" value={draft.user_id} onInput={set("user_id")} data-testid="audit-filter-user" />
					</label>
				)}
				<label>
					{t("objectType")}
					<input name="object_type" value={draft.object_type} onInput={set("object_type")} data-testid="audit-filter-object-type" />
				</label>
				<label>
					{t("objectId")}
					<input name="object_id" value={draft.object_id} onInput={set("object_id")} data-testid="audit-filter-object-id" />
				</label>
			</div>
			<div class="row" style={{ alignItems: "flex-end" }}>
				<label>
					{t("from")}
					<input name="from" type="datetime-local" value={draft.from} onInput={set("from")} data-testid="audit-filter-from" style={DATE_INPUT} />
				</label>
				<label>
					{t("to")}
					<input name="to" type="datetime-local" value={draft.to} onInput={set("to")} data-testid="audit-filter-to" style={DATE_INPUT} />
				</label>
				<div class="row">
					<button type="submit" data-testid="audit-filter-apply">
						{t("apply")}
					</button>
					<button type="button" class="secondary" onClick={() => onApply(NO_FILTERS)} data-testid="audit-filter-clear">
						{t("clear")}
					</button>
				</div>
			</div>
		</form>
	);
}
