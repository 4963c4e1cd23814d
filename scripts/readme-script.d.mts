export function readmeScript(markdown: string, prelude?: string): string;
