/** The dialog that creates or edits a route: an alias's chain, or a model's policy, and what consistent hashing keys on. */

import { useState } from "preact/hooks";
import { Field } from "../../components/field";
import { FormDialog } from "../../components/form-dialog";
import { messageOf } from "../../components/format";
import { HASH_FIELDS, type HashField, type ModelRoute, modelsApi, POLICIES, type Policy } from "./api";
import { t } from "./strings";

interface Form {
	name: string;
	/** One model a line. */
	chain: string;
	policy: Policy;
	hashOn: HashField;
}

const initial = (route: ModelRoute | null): Form => ({
	name: route?.name ?? "",
	chain: route?.chain.join("\n") ?? "",
	policy: route?.policy ?? "weighted",
	hashOn: route?.hash_on ?? "user",
});

const lines = (text: string) =>
	text
		.split("\n")
		.map((l) => l.trim())
		.filter(Boolean);

export function RouteDialog({ route, onSaved, onClose }: { route: ModelRoute | null; onSaved: () => void; onClose: () => void }) {
	const [form, setForm] = useState(() => initial(route));
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<string | null>(null);
	const set =
		<K extends keyof Form>(field: K) =>
		(value: Form[K]) =>
			setForm((f) => ({ ...f, [field]: value }));

	const submit = async () => {
		setBusy(true);
		setError(null);
		try {
			const hashed = form.policy === "consistent_hash" ? { hash_on: form.hashOn } : {};
			await modelsApi.put(form.name.trim(), { chain: lines(form.chain), policy: form.policy, ...hashed });
			onSaved();
		} catch (err) {
			setError(messageOf(err));
			setBusy(false);
		}
	};

	return (
		<FormDialog
			testid="route-dialog"
			title={route ? t("editTitle", { name: route.name }) : t("createTitle")}
			submitLabel={route ? t("save") : t("create")}
			submitTestId="route-save"
			busy={busy}
			canSubmit={form.name.trim() !== ""}
			error={error}
			onSubmit={() => void submit()}
			onClose={onClose}
		>
			<Field label={t("name")} hint={t("nameHint")}>
				<input
					data-testid="route-name"
					maxLength={200}
					spellcheck={false}
					disabled={route !== null}
					value={form.name}
					onInput={(e) => set("name")(e.currentTarget.value)}
				/>
			</Field>
			<Field label={t("chain")} hint={t("chainHint")}>
				<textarea data-testid="route-chain" rows={4} spellcheck={false} value={form.chain} onInput={(e) => set("chain")(e.currentTarget.value)} />
			</Field>
			<div class="form-grid">
				<Field label={t("policy")}>
					<select data-testid="route-policy" value={form.policy} onChange={(e) => set("policy")(e.currentTarget.value as Policy)}>
						{POLICIES.map((p) => (
							<option key={p} value={p}>
								{t(p)}
							</option>
						))}
					</select>
				</Field>
				{form.policy === "consistent_hash" && (
					<Field label={t("hashOn")}>
						<select data-testid="route-hash-on" value={form.hashOn} onChange={(e) => set("hashOn")(e.currentTarget.value as HashField)}>
							{HASH_FIELDS.map((h) => (
								<option key={h} value={h}>
									{t(h === "user" ? "hashUser" : "hashKey")}
								</option>
							))}
						</select>
					</Field>
				)}
			</div>
		</FormDialog>
	);
}
