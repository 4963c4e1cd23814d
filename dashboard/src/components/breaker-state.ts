/** One name per circuit-breaker state for every page, so that the Overview and Channels call the same state the same. */

import { translator } from "../i18n";
import type { BreakerState } from "./api-types";

const t = translator<BreakerState | "unknown">({
	en: { closed: "Healthy", open: "Open", half_open: "Half-open", disabled: "Disabled", unknown: "Unknown" },
	zh: { closed: "正常", open: "已熔断", half_open: "半开", disabled: "已停用", unknown: "未知" },
});

export const breakerStateName = (state: BreakerState | "unknown"): string => t(state);
