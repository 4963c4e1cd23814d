/** The queues and their dead jobs (/api/jobs): the operator's. */

import { api } from "../../api";

export interface Outcomes {
	acked: number;
	retried: number;
	deferred: number;
	dead: number;
}

export interface QueueState {
	queue: "usage" | "notify" | "ingest" | "memory" | "batch";
	queue_name: string;
	paused: boolean;
	paused_at: string | null;
	paused_by: string | null;
	last_hour: Outcomes;
	minutes: (Outcomes & { minute: string })[];
	dead_pending: number;
}

export interface DeadJob {
	id: number;
	queue: string;
	message_id: string;
	attempts: number;
	error: string | null;
	replayed_at: string | null;
	discarded_at: string | null;
	created_at: string;
}

export const jobsApi = {
	queues: () => api<{ data: QueueState[] }>("GET", "/api/jobs").then((r) => r.data),
	pause: (queue: string) => api<QueueState>("POST", `/api/jobs/${queue}/pause`),
	resume: (queue: string) => api<QueueState>("POST", `/api/jobs/${queue}/resume`),
	dead: () => api<{ data: DeadJob[] }>("GET", "/api/jobs/dead").then((r) => r.data),
	replay: (id: number) => api<DeadJob>("POST", `/api/jobs/dead/${id}/replay`),
	discard: (id: number) => api<DeadJob>("POST", `/api/jobs/dead/${id}/discard`),
};
