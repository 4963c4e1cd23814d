import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { securityHeaders } from "./security-headers.ts";

// Built into dashboard/dist, which wrangler serves as static assets (wrangler.toml [assets]); everything is
// bundled, nothing is fetched from a CDN.
export default defineConfig({
	root: import.meta.dirname,
	plugins: [preact(), securityHeaders()],
	build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 300 },
	// `npm run dashboard` (vite dev) proxies the API to a running `npm run dev`.
	server: { proxy: { "/api": "http://localhost:8787", "/v1": "http://localhost:8787" } },
});
