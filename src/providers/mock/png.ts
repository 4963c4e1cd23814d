/**
 * A tiny PNG encoder for the mock's images: truecolour, 8 bits a channel, its pixels in zlib's stored (uncompressed)
 * deflate blocks. No compression library is needed, and every decoder reads it: the signature, IHDR, IDAT and IEND
 * chunks with their CRC-32s, and the zlib stream's Adler-32.
 */

import { crc32 } from "../../lib/crc32";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function adler32(bytes: Uint8Array): number {
	let a = 1;
	let b = 0;
	for (const x of bytes) {
		a = (a + x) % 65521;
		b = (b + a) % 65521;
	}
	return ((b << 16) | a) >>> 0;
}

const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** A zlib stream of stored deflate blocks, at most 65,535 bytes each. */
function zlibStored(data: Uint8Array): Uint8Array {
	const out: number[] = [0x78, 0x01];
	for (let at = 0; at === 0 || at < data.length; at += 65_535) {
		const block = data.subarray(at, at + 65_535);
		const last = at + 65_535 >= data.length ? 1 : 0;
		const len = block.length;
		out.push(last, len & 0xff, len >>> 8, ~len & 0xff, (~len >>> 8) & 0xff);
		for (const b of block) out.push(b);
	}
	out.push(...u32(adler32(data)));
	return Uint8Array.from(out);
}

function chunk(type: string, data: Uint8Array): number[] {
	const typed = Uint8Array.from([...new TextEncoder().encode(type), ...data]);
	return [...u32(data.length), ...typed, ...u32(crc32(typed))];
}

export type Rgb = readonly [number, number, number];

/** A PNG of `width` × `height` pixels, each the colour `pixel(x, y)` gives. */
export function png(width: number, height: number, pixel: (x: number, y: number) => Rgb): Uint8Array {
	const raw = new Uint8Array(height * (1 + width * 3));
	let i = 0;
	for (let y = 0; y < height; y++) {
		raw[i++] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const [r, g, b] = pixel(x, y);
			raw[i++] = r;
			raw[i++] = g;
			raw[i++] = b;
		}
	}
	// 8 bits a channel, colour type 2 (RGB), default compression and filter, no interlace.
	const header = Uint8Array.from([...u32(width), ...u32(height), 8, 2, 0, 0, 0]);
	return Uint8Array.from([...SIGNATURE, ...chunk("IHDR", header), ...chunk("IDAT", zlibStored(raw)), ...chunk("IEND", new Uint8Array())]);
}
