export function buildParser(outfile: string): Promise<void>;
