import { installMem0Client } from "./mem0";

/** Installs the real mem0ai client before any test file runs, once for all of them (npm ci must not race itself). */
export default function setup() {
	installMem0Client();
}
