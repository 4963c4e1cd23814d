const IMAGE_MAGIC: readonly { type: string; extension: string; magic: readonly number[]; at?: number }[] = [
	{ type: "image/png", extension: "png", magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
	{ type: "image/jpeg", extension: "jpg", magic: [0xff, 0xd8, 0xff] },
	{ type: "image/gif", extension: "gif", magic: [0x47, 0x49, 0x46, 0x38] },
	// RIFF....WEBP: the format's name after the size.
	{ type: "image/webp", extension: "webp", magic: [0x57, 0x45, 0x42, 0x50], at: 8 },
];

/** The image format the bytes are, by their magic numbers (never by the name a client gave them); undefined if none. */
export function imageType(bytes: Uint8Array): { type: string; extension: string } | undefined {
	const found = IMAGE_MAGIC.find(({ magic, at = 0 }) => magic.every((b, i) => bytes[at + i] === b));
	return found && { type: found.type, extension: found.extension };
}
