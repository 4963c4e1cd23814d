export function wrangler(args: string[], options?: { capture?: boolean }): string;
export function ensureDevVars(): boolean;
export function devVar(name: string): string | undefined;
export function prepareDatabase(persist?: string[]): string | undefined;
export function newKey(): string;
