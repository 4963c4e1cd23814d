/** The table of channels: health, last error, routing weights, models, status, a test button and each one's actions. */

import type { Channel } from "../../components/api-types";
import { DataTable } from "../../components/data-table";
import { ModelList } from "../../components/model-list";
import { fmt } from "../../i18n";
import type { HealthEntry } from "./health";
import { HealthCell, LastError } from "./health-cell";
import { t } from "./strings";
import { type TestEntry, TestOutcome } from "./test";

export function ChannelTable({
	channels,
	health,
	tests,
	busy,
	onTest,
	onToggle,
	onEdit,
	onReset,
	onProbes,
	onDelete,
	unpriced,
}: {
	channels: Channel[];
	health: Record<number, HealthEntry>;
	tests: Record<number, TestEntry>;
	busy: number | null;
	onTest: (c: Channel) => void;
	onToggle: (c: Channel) => void;
	onEdit: (c: Channel) => void;
	onReset: (c: Channel) => void;
	/** Shows the channel's active health checks. */
	onProbes: (c: Channel) => void;
	onDelete: (c: Channel) => void;
	/** The channel's models that have no price on it. */
	unpriced: (c: Channel) => string[];
}) {
	const healthOf = (c: Channel) => {
		const entry = health[c.id];
		return entry && "health" in entry ? entry.health : null;
	};
	const tripped = (c: Channel) => {
		const h = healthOf(c);
		return h !== null && h.state !== "closed";
	};
	return (
		<DataTable
			rows={channels}
			rowKey={(c) => c.id}
			rowTestId={(c) => `channel-row-${c.id}`}
			empty={t("none")}
			columns={[
				{ id: "channel", head: t("colChannel"), cell: (c) => <ChannelName channel={c} /> },
				{ id: "health", head: t("colHealth"), cell: (c) => <HealthCell id={c.id} entry={health[c.id]} /> },
				{ id: "error", head: t("colLastError"), cell: (c) => <LastError health={healthOf(c)} /> },
				{ id: "priority", head: t("colPriority"), num: true, cell: (c) => fmt.int(c.priority) },
				{ id: "weight", head: t("colWeight"), num: true, cell: (c) => fmt.int(c.weight) },
				{ id: "models", head: t("colModels"), class: "wrap", style: { minWidth: "10rem" }, cell: (c) => <ModelsCell channel={c} unpriced={unpriced(c)} /> },
				{ id: "status", head: t("colStatus"), cell: (c) => <span class={`badge ${c.status}`}>{t(c.status)}</span> },
				{ id: "test", head: t("colTest"), class: "wrap", cell: (c) => <TestCell channel={c} entry={tests[c.id]} onTest={onTest} /> },
				{
					id: "actions",
					head: t("colActions"),
					cell: (c) => (
						<div class="actions">
							<button type="button" class="secondary" data-testid={`channel-toggle-${c.id}`} disabled={busy === c.id} onClick={() => onToggle(c)}>
								{c.status === "enabled" ? t("disable") : t("enable")}
							</button>
							<button type="button" class="secondary" data-testid={`channel-edit-${c.id}`} onClick={() => onEdit(c)}>
								{t("edit")}
							</button>
							{tripped(c) && (
								<button type="button" class="secondary" data-testid={`channel-reset-${c.id}`} disabled={busy === c.id} onClick={() => onReset(c)}>
									{t("reset")}
								</button>
							)}
							<button type="button" class="secondary" data-testid={`channel-probes-${c.id}`} onClick={() => onProbes(c)}>
								{t("probes")}
							</button>
							<button type="button" class="danger" data-testid={`channel-delete-${c.id}`} disabled={busy === c.id} onClick={() => onDelete(c)}>
								{t("delete")}
							</button>
						</div>
					),
				},
			]}
		/>
	);
}

function ChannelName({ channel: c }: { channel: Channel }) {
	return (
		<>
			<strong>{c.name}</strong>
			<div class="muted">
				{c.type}
				{c.key_masked && (
					<>
						{" · "}
						<span class="mono">{c.key_masked}</span>
					</>
				)}
			</div>
		</>
	);
}

function ModelsCell({ channel: c, unpriced }: { channel: Channel; unpriced: string[] }) {
	return (
		<>
			<ModelList models={c.models} more={(n) => t("more", { n })} flagged={unpriced} flagTitle={t("unpricedMark")} />
			{unpriced.length > 0 && (
				<div class="operator-note" data-testid={`channel-unpriced-${c.id}`} title={unpriced.join(", ")}>
					<small>{t("unpricedCount", { n: unpriced.length })}</small>
				</div>
			)}
		</>
	);
}

function TestCell({ channel: c, entry, onTest }: { channel: Channel; entry: TestEntry | undefined; onTest: (c: Channel) => void }) {
	return (
		<div class="stack" style={{ gap: "0.25rem", alignItems: "flex-start" }}>
			<button
				type="button"
				class="secondary"
				data-testid={`channel-test-${c.id}`}
				title={t("testTitle", { model: c.models[0] ?? "" })}
				disabled={entry?.pending === true}
				onClick={() => onTest(c)}
			>
				{entry?.pending ? t("testing") : t("test")}
			</button>
			<TestOutcome id={c.id} entry={entry} />
		</div>
	);
}
