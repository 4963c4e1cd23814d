/** One cell of a CSV row; null is an empty cell. */
export type CsvValue = string | number | boolean | null;

// A spreadsheet runs a cell that starts with one of these as a formula; text cells that do (a client chooses its
// model name and request id) get a leading apostrophe so that opening an export cannot run anything (OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180 quoting: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvCell(value: CsvValue): string {
	if (value === null) return "";
	if (typeof value !== "string") return String(value);
	const text = FORMULA_START.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV line with its CRLF terminator, as RFC 4180 has it. */
export function csvRow(values: readonly CsvValue[]): string {
	return `${values.map(csvCell).join(",")}\r\n`;
}
