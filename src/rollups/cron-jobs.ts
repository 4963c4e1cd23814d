/**
 * The jobs of one cron invocation: each runs even if another fails (a broken rollup must not let the logs grow
 * without bound), and `settle` then fails the invocation if any did, so that it shows in the cron's history.
 */
export function cronJobs(cron: string) {
	const failures: unknown[] = [];
	const attempt = <T>(job: string, run: () => Promise<T>): Promise<T | undefined> =>
		run().catch((err: unknown) => {
			console.error(JSON.stringify({ level: "error", cron, job, error: String(err) }));
			failures.push(err);
			return undefined;
		});
	const settle = (what: string) => {
		if (failures.length > 0) throw new AggregateError(failures, what);
	};
	return { attempt, settle };
}
