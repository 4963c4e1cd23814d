import type { Plugin } from "vite";

/**
 * The dashboard's security headers, written into the build as `_headers`: Workers static assets (wrangler.toml
 * [assets], also under `wrangler dev`) and Cloudflare Pages both read that file and add these headers to every
 * asset they serve, the single-page fallback included. The policy allows only the bundle's own files: the build has
 * no inline script or style (Vite emits one module script and one stylesheet; Preact and uPlot set styles through
 * the CSSOM, which CSP does not restrict). `connect-src` names the API: the same origin, or the Worker's origin when
 * the dashboard is built for Pages (VITE_API_BASE).
 */
export function contentSecurityPolicy(apiBase: string | undefined): string {
	const api = apiBase ? ` ${new URL(apiBase).origin}` : "";
	return [
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		// The favicon is an empty data: URL (index.html), so that no request is made for one.
		"img-src 'self' data:",
		"font-src 'self'",
		`connect-src 'self'${api}`,
		"manifest-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	].join("; ");
}

export function headersFile(apiBase: string | undefined): string {
	const headers = {
		"Content-Security-Policy": contentSecurityPolicy(apiBase),
		"Referrer-Policy": "no-referrer",
		"X-Content-Type-Options": "nosniff",
		// For browsers that predate frame-ancestors.
		"X-Frame-Options": "DENY",
		"Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
	};
	return `/*\n${Object.entries(headers)
		.map(([k, v]) => `  ${k}: ${v}\n`)
		.join("")}`;
}

/** Emits `_headers` beside index.html. */
export function securityHeaders(): Plugin {
	return {
		name: "edge-gateway-security-headers",
		apply: "build",
		generateBundle() {
			this.emitFile({ type: "asset", fileName: "_headers", source: headersFile(process.env.VITE_API_BASE || undefined) });
		},
	};
}
