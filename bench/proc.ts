// CPU time and memory of a process and everything it started, read from /proc (Linux): the runtime's real
// cost, whichever launcher hosts it (wrangler dev runs a node process and two workerd; miniflare one of each).
import { readdirSync, readFileSync } from "node:fs";

// Kernel clock ticks per second (USER_HZ): 100 on every Linux that Node supports.
const TICK_MS = 10;

interface Stat {
	ppid: number;
	cpuTicks: number;
}

function stat(pid: number): Stat | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, "utf8");
		// The command name may hold spaces and parentheses; the fields after its closing one are fixed.
		const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
		return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
	} catch {
		return undefined; // it exited while we looked
	}
}

/** `root` and all its descendants that are alive now. */
export function processTree(root: number): number[] {
	const children = new Map<number, number[]>();
	for (const name of readdirSync("/proc")) {
		const pid = Number(name);
		if (!Number.isInteger(pid)) continue;
		const s = stat(pid);
		if (!s) continue;
		const list = children.get(s.ppid);
		if (list) list.push(pid);
		else children.set(s.ppid, [pid]);
	}
	const tree: number[] = [];
	const pending = [root];
	while (pending.length > 0) {
		const pid = pending.pop() as number;
		tree.push(pid);
		pending.push(...(children.get(pid) ?? []));
	}
	return tree;
}

/** User + system CPU the tree has used so far, in milliseconds. */
export function cpuMs(root: number): number {
	let ticks = 0;
	for (const pid of processTree(root)) ticks += stat(pid)?.cpuTicks ?? 0;
	return ticks * TICK_MS;
}

/** User + system CPU that the processes `root` started (not `root` itself) have used so far, in milliseconds. */
export function descendantsCpuMs(root: number): number {
	let ticks = 0;
	for (const pid of processTree(root)) if (pid !== root) ticks += stat(pid)?.cpuTicks ?? 0;
	return ticks * TICK_MS;
}

/** Resident memory of the tree now, in bytes. */
export function rssBytes(root: number): number {
	let kb = 0;
	for (const pid of processTree(root)) {
		try {
			const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
			kb += Number(match?.[1] ?? 0);
		} catch {
			// exited
		}
	}
	return kb * 1024;
}

/** Samples the tree's resident memory until stopped; returns the peak seen. */
export function watchPeakRss(root: number, everyMs = 100): () => number {
	let peak = rssBytes(root);
	const timer = setInterval(() => {
		peak = Math.max(peak, rssBytes(root));
	}, everyMs);
	return () => {
		clearInterval(timer);
		return Math.max(peak, rssBytes(root));
	};
}
