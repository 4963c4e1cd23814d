import { type ParseResult, parseFailure } from "./types";

/**
 * PDF text with unpdf (pdf.js built for serverless runtimes), imported on first use: it is most of the parsers' weight
 * (552 KiB gzipped), and a Worker that never reads a PDF should not evaluate it.
 */
export async function parsePdf(bytes: Uint8Array): Promise<ParseResult> {
	const { extractText, getDocumentProxy } = await import("unpdf");
	let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
	try {
		// pdf.js may take ownership of the buffer it is given; the caller keeps its bytes.
		pdf = await getDocumentProxy(bytes.slice());
		const { totalPages, text } = await extractText(pdf, { mergePages: false });
		return {
			ok: true,
			document: {
				text: text
					.map((page) => page.trim())
					.filter(Boolean)
					.join("\n\n"),
				pages: totalPages,
			},
		};
	} catch (err) {
		const name = err instanceof Error ? err.name : "";
		if (name === "PasswordException") return parseFailure("invalid_file", "The PDF is encrypted with a password.");
		return parseFailure("invalid_file", `The PDF could not be read${name ? ` (${name})` : ""}.`);
	} finally {
		await pdf?.destroy();
	}
}
