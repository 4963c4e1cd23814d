/** Hooks several pages share: cursor-paged lists, modal dialogs, one-row-at-a-time actions and filter forms. */

import { useEffect, useRef, useState } from "preact/hooks";
import { get } from "../api";
import type { Page } from "./api-types";
import { useLoad } from "./async";

/** The first page loads with `deps`; "more" appends pages, and is dropped when the first page is loaded again. */
export function usePaged<T>(path: (cursor: string | undefined) => string, deps: unknown[]) {
	const first = useLoad(() => get<Page<T>>(path(undefined)), deps);
	const [more, setMore] = useState<{ base: Page<T>; rows: T[]; next: string | null } | null>(null);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<Error | null>(null);
	const base = first.data;
	const extra = base && more && more.base === base ? more : null;
	const rows = base ? [...(base.data ?? []), ...(extra?.rows ?? [])] : [];
	const next = extra ? extra.next : (base?.next_cursor ?? null);
	const loadMore = async () => {
		if (!base || !next) return;
		setBusy(true);
		setError(null);
		try {
			const page = await get<Page<T>>(path(next));
			setMore({ base, rows: [...(extra?.rows ?? []), ...(page.data ?? [])], next: page.next_cursor });
		} catch (err) {
			setError(err instanceof Error ? err : new Error(String(err)));
		} finally {
			setBusy(false);
		}
	};
	return { first, rows, next, loadMore, busy, error };
}

export type Paged<T> = ReturnType<typeof usePaged<T>>;

/** A `<dialog>` (given the returned ref) opened as a modal once mounted. */
export function useModal() {
	const ref = useRef<HTMLDialogElement>(null);
	useEffect(() => {
		const dialog = ref.current;
		if (dialog && !dialog.open) dialog.showModal();
	}, []);
	return ref;
}

/** Runs actions on a table's rows: `busy` is the id of the row being acted on, `error` the last failure's message. */
export function useRowAction() {
	const [busy, setBusy] = useState<number | null>(null);
	const [error, setError] = useState<string | null>(null);
	const act = async (id: number, fn: () => Promise<void>) => {
		setBusy(id);
		setError(null);
		try {
			await fn();
		} catch (err) {
			setError((err as Error).message);
		} finally {
			setBusy(null);
		}
	};
	return { busy, error, act };
}

/**
 * A filter form's draft: edited field by field (`set`), applied on submit (`onApply`), and reset whenever the applied
 * filters change from outside.
 */
export function useFilterDraft<F extends { [K in keyof F]: string }>(value: F, onApply: (f: F) => void) {
	const [draft, setDraft] = useState<F>(value);
	useEffect(() => setDraft(value), [value]);
	const set = (key: keyof F) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
	const submit = (e: Event) => {
		e.preventDefault();
		onApply(draft);
	};
	return { draft, setDraft, set, submit };
}
