import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { translator } from "../i18n";

const t = translator({
	en: { loading: "Loading…", empty: "Nothing here yet.", retry: "Retry", error: "Something went wrong" },
	zh: { loading: "加载中…", empty: "暂无数据。", retry: "重试", error: "出错了" },
});

export interface Loaded<T> {
	data: T | undefined;
	error: Error | undefined;
	loading: boolean;
	reload: () => void;
}

/** Loads `fn()` now and whenever `deps` change; `reload()` loads again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
	const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
	const [tick, setTick] = useState(0);
	// `deps` are what `fn` depends on, as the caller lists them.
	useEffect(() => {
		let live = true;
		setState((s) => ({ ...s, loading: true }));
		fn().then(
			(data) => live && setState({ data, loading: false }),
			(error: Error) => live && setState({ error, loading: false }),
		);
		return () => {
			live = false;
		};
	}, [...deps, tick]);
	const reload = useCallback(() => setTick((t) => t + 1), []);
	return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function Loading() {
	return (
		<div class="state loading" role="status" aria-live="polite">
			<span class="spinner" aria-hidden="true" /> {t("loading")}
		</div>
	);
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
	return (
		<div class="state error" role="alert">
			<strong>{t("error")}:</strong> {error.message}
			{retry && (
				<button type="button" class="link" onClick={retry}>
					{t("retry")}
				</button>
			)}
		</div>
	);
}

/** A failure's message as the API (or a form's check) wrote it, without a retry. */
export function Alert({ children, testid }: { children: ComponentChildren; testid?: string }) {
	return (
		<div class="state error" role="alert" data-testid={testid}>
			{children}
		</div>
	);
}

export function Empty({ children }: { children?: ComponentChildren }) {
	return <div class="state empty">{children ?? t("empty")}</div>;
}

/** Loading, error and empty states around `render(data)`. */
export function Async<T>({ load, empty, children }: { load: Loaded<T>; empty?: (data: T) => boolean; children: (data: T) => ComponentChildren }) {
	if (load.error) return <ErrorBox error={load.error} retry={load.reload} />;
	if (load.data === undefined) return <Loading />;
	if (empty?.(load.data)) return <Empty />;
	return <>{children(load.data)}</>;
}
