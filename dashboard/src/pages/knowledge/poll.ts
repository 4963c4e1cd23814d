/** A store's files, read again every POLL_MS while any of them is being ingested, and no longer once none is. */

import { useCallback, useEffect, useState } from "preact/hooks";
import type { KnowledgeApi, StoreFile } from "./api";

const POLL_MS = 1000;

export interface LiveFiles {
	files: StoreFile[] | undefined;
	error: Error | undefined;
	/** Whether another read is scheduled: some file is still in progress. */
	polling: boolean;
	reload: () => void;
}

/** `onSettled` runs when the last file in progress finishes, so that the store's counts can be read again. */
export function useLiveFiles(api: KnowledgeApi, storeId: string, onSettled: () => void): LiveFiles {
	const [state, setState] = useState<{ files?: StoreFile[]; error?: Error; polling: boolean }>({ polling: false });
	const [tick, setTick] = useState(0);
	// `api` changes with the chosen key, `tick` on reload(): either starts the reads afresh.
	useEffect(() => {
		let live = true;
		let timer: number | undefined;
		let wasBusy = false;
		const read = async () => {
			try {
				const files = await api.files(storeId);
				if (!live) return;
				const busy = files.some((f) => f.status === "in_progress");
				setState({ files, polling: busy });
				if (busy) timer = window.setTimeout(() => void read(), POLL_MS);
				else if (wasBusy) onSettled();
				wasBusy = busy;
			} catch (error) {
				// A failed read stops the polling; the error says why, and Refresh starts it again.
				if (live) setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), polling: false }));
			}
		};
		void read();
		return () => {
			live = false;
			window.clearTimeout(timer);
		};
	}, [api, storeId, tick]);
	const reload = useCallback(() => setTick((n) => n + 1), []);
	return { files: state.files, error: state.error, polling: state.polling, reload };
}
