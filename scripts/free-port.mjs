// A loopback port nobody listens on right now, for servers started by the e2e tests and the benchmark.
import { createServer } from "node:net";

export async function freePort() {
	const server = createServer();
	await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	await new Promise((resolve) => server.close(resolve));
	if (typeof address !== "object" || address === null) throw new Error("no free port");
	return address.port;
}
