import { readWav } from "./wav";

/** How long an audio file plays, and whether that is measured or guessed. */
export interface AudioLength {
	seconds: number;
	exact: boolean;
}

/** kbit/s by bitrate index: MPEG-1 Layer III, and MPEG-2/2.5 Layer III. */
const MPEG1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** Compressed formats the gateway does not decode (m4a, ogg, webm, flac…) are guessed at this rate: 128 kbit/s. */
const GUESSED_BYTES_PER_SECOND = 16_000;

/** Past an ID3v2 tag (10-byte header, then a syncsafe size), where an MP3's first frame starts. */
function afterId3(bytes: Uint8Array): number {
	if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
	const size = ((bytes[6] ?? 0) << 21) | ((bytes[7] ?? 0) << 14) | ((bytes[8] ?? 0) << 7) | (bytes[9] ?? 0);
	return 10 + size;
}

/** The bitrate (bit/s) of an MP3's first Layer III frame header, if the bytes start with one (after ID3). */
export function mp3Bitrate(bytes: Uint8Array): number | undefined {
	const at = afterId3(bytes);
	const [b0, b1, b2] = [bytes[at], bytes[at + 1], bytes[at + 2]];
	if (b0 !== 0xff || b1 === undefined || b2 === undefined || (b1 & 0xe0) !== 0xe0) return undefined;
	// Layer bits 01: Layer III; version bits 11: MPEG-1, 10 or 00: MPEG-2 / 2.5.
	if (((b1 >> 1) & 0x03) !== 0x01) return undefined;
	const version = (b1 >> 3) & 0x03;
	if (version === 0x01) return undefined;
	const kbps = (version === 0x03 ? MPEG1_L3 : MPEG2_L3)[b2 >> 4];
	return kbps ? kbps * 1000 : undefined;
}

/**
 * The length of an uploaded audio file: exact for WAV (its header says the byte rate), estimated for MP3 from its
 * first frame's bitrate (exact for constant bitrate, which most are), and for other formats from the size at
 * 128 kbit/s. Used where the upstream does not report the duration it billed.
 */
export function audioLength(bytes: Uint8Array): AudioLength {
	const wav = readWav(bytes);
	if (wav) return { seconds: wav.seconds, exact: true };
	const bitrate = mp3Bitrate(bytes);
	if (bitrate) return { seconds: (bytes.length * 8) / bitrate, exact: false };
	return { seconds: bytes.length / GUESSED_BYTES_PER_SECOND, exact: false };
}
