/**
 * RIFF/WAVE files: written as 16-bit PCM with an optional `LIST`/`INFO`/`ICMT` comment, and read for their length
 * (exact from the `fmt ` byte rate and the `data` size) and that comment.
 */

export interface WavInfo {
	seconds: number;
	/** The `ICMT` (comment) of a `LIST`/`INFO` chunk, if the file has one. */
	comment?: string;
}

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

/** RIFF chunks are padded to an even length. */
const padded = (size: number) => size + (size & 1);

function chunk(id: string, body: Uint8Array): Uint8Array {
	const out = new Uint8Array(8 + padded(body.length));
	out.set(new TextEncoder().encode(id), 0);
	new DataView(out.buffer).setUint32(4, body.length, true);
	out.set(body, 8);
	return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

/** The `INFO` list holding one comment, NUL-terminated as RIFF strings are. */
function infoList(comment: string): Uint8Array {
	const text = new TextEncoder().encode(`${comment}\0`);
	return chunk("LIST", concat([new TextEncoder().encode("INFO"), chunk("ICMT", text)]));
}

/** A mono 16-bit PCM WAV of `samples` (little-endian, as WAV stores them) at `sampleRate`. */
export function wavFile(samples: Int16Array, sampleRate: number, comment?: string): Uint8Array {
	const fmt = new Uint8Array(16);
	const f = new DataView(fmt.buffer);
	f.setUint16(0, 1, true); // PCM
	f.setUint16(2, 1, true); // mono
	f.setUint32(4, sampleRate, true);
	f.setUint32(8, sampleRate * 2, true); // byte rate
	f.setUint16(12, 2, true); // block align
	f.setUint16(14, 16, true); // bits per sample
	const body = concat([
		new TextEncoder().encode("WAVE"),
		chunk("fmt ", fmt),
		...(comment === undefined ? [] : [infoList(comment)]),
		chunk("data", pcmBytes(samples)),
	]);
	return chunk("RIFF", body);
}

/** Samples as little-endian bytes, whatever the platform's order. */
export function pcmBytes(samples: Int16Array): Uint8Array {
	const out = new Uint8Array(samples.length * 2);
	const view = new DataView(out.buffer);
	for (const [i, s] of samples.entries()) view.setInt16(i * 2, s, true);
	return out;
}

function infoComment(bytes: Uint8Array, start: number, end: number): string | undefined {
	if (ascii(bytes, start, 4) !== "INFO") return undefined;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (let at = start + 4; at + 8 <= end; ) {
		const size = view.getUint32(at + 4, true);
		if (ascii(bytes, at, 4) === "ICMT") {
			const text = bytes.subarray(at + 8, Math.min(at + 8 + size, end));
			return new TextDecoder().decode(text).replace(/\0+$/, "");
		}
		at += 8 + padded(size);
	}
	return undefined;
}

/**
 * A WAV file's length and comment; undefined for anything that is not a WAV with a usable `fmt ` and `data` chunk.
 * A `data` chunk cut short (or declared larger than the file, as streamed WAVs are) counts the bytes present.
 */
export function readWav(bytes: Uint8Array): WavInfo | undefined {
	if (bytes.length < 12 || ascii(bytes, 0, 4) !== "RIFF" || ascii(bytes, 8, 4) !== "WAVE") return undefined;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let byteRate = 0;
	let dataBytes: number | undefined;
	let comment: string | undefined;
	for (let at = 12; at + 8 <= bytes.length; ) {
		const id = ascii(bytes, at, 4);
		const size = view.getUint32(at + 4, true);
		const end = Math.min(at + 8 + size, bytes.length);
		if (id === "fmt " && size >= 16) byteRate = view.getUint32(at + 16, true);
		else if (id === "data") dataBytes = end - (at + 8);
		else if (id === "LIST") comment ??= infoComment(bytes, at + 8, end);
		at += 8 + padded(size);
	}
	if (!byteRate || dataBytes === undefined) return undefined;
	return { seconds: dataBytes / byteRate, ...(comment === undefined ? {} : { comment }) };
}
