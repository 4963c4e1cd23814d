/** The key form's fields as typed, from a key and back to the body the API takes. */

import type { Limits, Token } from "../../components/api-types";
import { splitList } from "../../components/format";
import { LIMIT_FIELDS } from "./limit-fields";
import { t } from "./strings";

export type FormState = Record<
	| "name"
	| "models"
	| "expires_at"
	| "user_id"
	| "memory_mode"
	| "stream_continuation"
	| "cache_mode"
	| "cache_ttl"
	| "cache_threshold"
	| "scopes"
	| "tags"
	| "ip_allow"
	| "auto_rotate"
	| keyof Limits,
	string
>;

/** A field the form cannot send as typed; its message is the form's error. */
class FormError extends Error {}

/** An ISO instant as a datetime-local value, in local time. */
function toLocalInput(iso: string | null): string {
	if (!iso) return "";
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return "";
	const p = (n: number) => String(n).padStart(2, "0");
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function initialForm(token: Token | null): FormState {
	const limit = (v: number | null) => (v === null ? "" : String(v));
	return {
		name: token?.name ?? "",
		models: token?.models?.join(", ") ?? "",
		expires_at: toLocalInput(token?.expires_at ?? null),
		memory_mode: token?.memory_mode ?? "off",
		stream_continuation: token?.stream_continuation === false ? "off" : "on",
		cache_mode: token?.cache?.mode ?? "off",
		cache_ttl: String(token?.cache?.ttl_seconds ?? DEFAULT_CACHE_TTL),
		cache_threshold: String(token?.cache?.threshold ?? DEFAULT_CACHE_THRESHOLD),
		user_id: "",
		scopes: token?.scopes?.join(", ") ?? "",
		tags: token?.tags.join(", ") ?? "",
		ip_allow: token?.ip_allow?.join(", ") ?? "",
		auto_rotate: token?.auto_rotate ? "on" : "off",
		rpm: limit(token?.rpm ?? null),
		tpm: limit(token?.tpm ?? null),
		max_concurrency: limit(token?.max_concurrency ?? null),
		budget_daily_usd: limit(token?.budget_daily_usd ?? null),
		budget_monthly_usd: limit(token?.budget_monthly_usd ?? null),
		quota_usd: limit(token?.quota_usd ?? null),
	};
}

function number(form: FormState, field: keyof FormState, label: string): number | null {
	const raw = form[field].trim();
	if (raw === "") return null;
	const n = Number(raw);
	if (!Number.isFinite(n)) throw new FormError(t("notNumber", { field: label }));
	return n;
}

/** The API's defaults, shown in the fields until the key has settings of its own. */
const DEFAULT_CACHE_TTL = 3600;
const DEFAULT_CACHE_THRESHOLD = 0.95;

/** `cache` as the API takes it: null when off; the fields in the API's order, so that an unchanged one compares equal. */
function cache(form: FormState, token: Token | null): Record<string, unknown> | null {
	if (form.cache_mode === "off") return null;
	return {
		mode: form.cache_mode,
		ttl_seconds: number(form, "cache_ttl", t("cacheTtl")) ?? DEFAULT_CACHE_TTL,
		threshold: number(form, "cache_threshold", t("cacheThreshold")) ?? DEFAULT_CACHE_THRESHOLD,
		// Not in the form (it is for the API's callers who know their traffic); kept as the key has it.
		semantic_any: token?.cache?.semantic_any ?? false,
	};
}

function expiry(local: string): string | null {
	if (!local) return null;
	const d = new Date(local);
	if (Number.isNaN(d.getTime())) throw new FormError(t("badDate"));
	return d.toISOString();
}

/** The body of POST /api/tokens (`token` null) or of PATCH /api/tokens/{id}; throws FormError on a field it cannot read. */
export function requestBody(form: FormState, token: Token | null, admin: boolean): Record<string, unknown> {
	const orNull = (list: string[]) => (list.length > 0 ? list : null);
	const body: Record<string, unknown> = {
		name: form.name.trim(),
		models: orNull(splitList(form.models)),
		expires_at: expiry(form.expires_at),
		memory_mode: form.memory_mode,
		stream_continuation: form.stream_continuation !== "off",
		cache: cache(form, token),
		scopes: orNull(splitList(form.scopes)),
		tags: splitList(form.tags),
		ip_allow: orNull(splitList(form.ip_allow)),
		auto_rotate: form.auto_rotate === "on",
	};
	for (const f of LIMIT_FIELDS) body[f.name] = number(form, f.name, t(f.label));
	if (!token && admin) {
		const owner = number(form, "user_id", t("owner"));
		if (owner !== null) body.user_id = owner;
	}
	if (!token) return body;
	// An edit sends only what changed, so that untouched limits neither reset the key's governor nor meet the operator's bounds.
	const current: Record<string, unknown> = { ...token };
	return Object.fromEntries(Object.entries(body).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k])));
}
