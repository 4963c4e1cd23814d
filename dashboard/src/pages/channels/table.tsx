/** The table of channels: health, last error, routing weights, models, status, a test button and each one's actions. */

import type { Channel } from "../../components/api-types";
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
	onDelete,
}: {
	channels: Channel[];
	health: Record<number, HealthEntry>;
	tests: Record<number, TestEntry>;
	busy: number | null;
	onTest: (c: Channel) => void;
	onToggle: (c: Channel) => void;
	onEdit: (c: Channel) => void;
	onReset: (c: Channel) => void;
	onDelete: (c: Channel) => void;
}) {
	return (
		<div class="table-wrap">
			<table>
				<thead>
					<tr>
						<th>{t("colChannel")}</th>
						<th>{t("colHealth")}</th>
						<th>{t("colLastError")}</th>
						<th class="num">{t("colPriority")}</th>
						<th class="num">{t("colWeight")}</th>
						<th>{t("colModels")}</th>
						<th>{t("colStatus")}</th>
						<th>{t("colTest")}</th>
						<th>{t("colActions")}</th>
					</tr>
				</thead>
				<tbody>
					{channels.map((c) => {
						const entry = health[c.id];
						const h = entry && "health" in entry ? entry.health : null;
						return (
							<tr key={c.id} data-testid={`channel-row-${c.id}`}>
								<td>
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
								</td>
								<td>
									<HealthCell id={c.id} entry={entry} />
								</td>
								<td>
									<LastError health={h} />
								</td>
								<td class="num">{fmt.int(c.priority)}</td>
								<td class="num">{fmt.int(c.weight)}</td>
								<td>
									<ModelList models={c.models} more={(n) => t("more", { n })} />
								</td>
								<td>
									<span class={`badge ${c.status}`}>{t(c.status)}</span>
								</td>
								<td>
									<div class="stack" style={{ gap: "0.25rem", alignItems: "flex-start" }}>
										<button
											type="button"
											class="secondary"
											data-testid={`channel-test-${c.id}`}
											title={t("testTitle", { model: c.models[0] ?? "" })}
											disabled={tests[c.id]?.pending === true}
											onClick={() => onTest(c)}
										>
											{tests[c.id]?.pending ? t("testing") : t("test")}
										</button>
										<TestOutcome id={c.id} entry={tests[c.id]} />
									</div>
								</td>
								<td>
									<div class="row" style={{ gap: "0.35rem", flexWrap: "nowrap" }}>
										<button type="button" class="secondary" data-testid={`channel-toggle-${c.id}`} disabled={busy === c.id} onClick={() => onToggle(c)}>
											{c.status === "enabled" ? t("disable") : t("enable")}
										</button>
										<button type="button" class="secondary" data-testid={`channel-edit-${c.id}`} onClick={() => onEdit(c)}>
											{t("edit")}
										</button>
										{h && h.state !== "closed" && (
											<button type="button" class="secondary" data-testid={`channel-reset-${c.id}`} disabled={busy === c.id} onClick={() => onReset(c)}>
												{t("reset")}
											</button>
										)}
										<button type="button" class="danger" data-testid={`channel-delete-${c.id}`} disabled={busy === c.id} onClick={() => onDelete(c)}>
											{t("delete")}
										</button>
									</div>
								</td>
							</tr>
						);
					})}
				</tbody>
			</table>
		</div>
	);
}
