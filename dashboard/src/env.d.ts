/// <reference types="vite/client" />

interface ImportMetaEnv {
	/** The Worker's URL when the dashboard is served from elsewhere (Pages); empty: the same origin. */
	readonly VITE_API_BASE?: string;
}
