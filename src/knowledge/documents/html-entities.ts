/** The named character references that show up in real pages' text; any other stays as written. */
const NAMED: Record<string, string> = {
	amp: "&",
	lt: "<",
	gt: ">",
	quot: '"',
	apos: "'",
	nbsp: " ",
	ensp: " ",
	emsp: " ",
	thinsp: " ",
	shy: "",
	zwj: "",
	zwnj: "",
	ndash: "–",
	mdash: "—",
	hellip: "…",
	lsquo: "‘",
	rsquo: "’",
	sbquo: "‚",
	ldquo: "“",
	rdquo: "”",
	bdquo: "„",
	laquo: "«",
	raquo: "»",
	bull: "•",
	middot: "·",
	copy: "©",
	reg: "®",
	trade: "™",
	deg: "°",
	plusmn: "±",
	times: "×",
	divide: "÷",
	euro: "€",
	pound: "£",
	yen: "¥",
	cent: "¢",
	sect: "§",
	para: "¶",
	larr: "←",
	rarr: "→",
	uarr: "↑",
	darr: "↓",
	le: "≤",
	ge: "≥",
	ne: "≠",
	asymp: "≈",
	minus: "−",
};

const REFERENCE = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});?/gi;

function codePoint(n: number): string {
	// The HTML standard maps NUL, surrogates and out-of-range numbers to U+FFFD.
	return n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? "\ufffd" : String.fromCodePoint(n);
}

export function decodeEntities(text: string): string {
	if (!text.includes("&")) return text;
	return text.replace(REFERENCE, (whole, ref: string) => {
		if (ref[0] === "#") return codePoint(ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10));
		return NAMED[ref] ?? NAMED[ref.toLowerCase()] ?? whole;
	});
}
