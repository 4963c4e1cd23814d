// Vite's `?raw` suffix imports a file's text: how tests running inside workerd (no file system) read fixtures.
declare module "*?raw" {
	const text: string;
	export default text;
}
