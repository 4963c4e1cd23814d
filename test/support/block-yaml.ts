/**
 * A reader for the plain block YAML of ops/prometheus/alerts.yml, so that the project needs no YAML library for one
 * file: mappings, `- ` lists, one-line scalars (plain, "double" or 'single' quoted) and `|` or `>` blocks. Anything
 * else (flow collections, anchors, tags, comments after a value) throws, so the file cannot drift into YAML this
 * does not read the way Prometheus does.
 */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
	indent: number;
	text: string;
	/** 1-based, for messages. */
	at: number;
}

export function parseBlockYaml(source: string): YamlValue {
	const raw = source.split("\n").map((line, i) => ({ indent: line.length - line.trimStart().length, text: line.trim(), at: i + 1, line }));
	if (raw.some((l) => l.line.includes("\t"))) throw new Error("tabs are not YAML indentation");
	const reader = new Reader(raw);
	const value = reader.block(0);
	if (reader.peek()) throw new Error(`line ${reader.peek()?.at}: unexpected indentation`);
	return value;
}

class Reader {
	#i = 0;
	constructor(private readonly lines: (Line & { line: string })[]) {}

	/** The next line that is neither blank nor a comment. */
	peek(): Line | undefined {
		while (this.#i < this.lines.length) {
			const l = this.lines[this.#i];
			if (l && l.text !== "" && !l.text.startsWith("#")) return l;
			this.#i++;
		}
		return undefined;
	}

	block(indent: number): YamlValue {
		const first = this.peek();
		if (!first || first.indent < indent) throw new Error(`line ${first?.at ?? "end"}: a value was expected`);
		return first.text === "-" || first.text.startsWith("- ") ? this.list(first.indent) : this.mapping(first.indent);
	}

	list(indent: number): YamlValue[] {
		const items: YamlValue[] = [];
		for (let l = this.peek(); l && l.indent === indent && (l.text === "-" || l.text.startsWith("- ")); l = this.peek()) {
			if (l.text === "-") {
				this.#i++;
				items.push(this.block(indent + 1));
			} else {
				// The item's first line, read as if the dash were indentation.
				l.indent += 2;
				l.text = l.text.slice(2).trimStart();
				items.push(/^[^"'][^:]*:(\s|$)/.test(l.text) ? this.mapping(l.indent) : this.scalarLine(l));
			}
		}
		return items;
	}

	mapping(indent: number): { [key: string]: YamlValue } {
		const out: { [key: string]: YamlValue } = {};
		for (let l = this.peek(); l && l.indent === indent; l = this.peek()) {
			const m = /^([A-Za-z_][\w.-]*):(?:\s+(.*))?$/.exec(l.text);
			if (!m?.[1]) throw new Error(`line ${l.at}: "key: value" expected`);
			if (m[1] in out) throw new Error(`line ${l.at}: ${m[1]} twice`);
			this.#i++;
			const rest = m[2] ?? "";
			if (rest === "") out[m[1]] = this.block(indent + 1);
			else if (/^[|>][-+]?$/.test(rest)) out[m[1]] = this.blockScalar(indent, rest);
			else out[m[1]] = scalar(rest, l.at);
		}
		return out;
	}

	scalarLine(l: Line): string {
		this.#i++;
		return scalar(l.text, l.at);
	}

	blockScalar(indent: number, header: string): string {
		const body: string[] = [];
		let own: number | undefined;
		while (this.#i < this.lines.length) {
			const l = this.lines[this.#i];
			if (!l) break;
			if (l.text !== "" && l.indent <= indent) break;
			own ??= l.text === "" ? undefined : l.indent;
			body.push(l.text === "" ? "" : l.line.slice(own ?? l.indent));
			this.#i++;
		}
		while (body.at(-1) === "") body.pop();
		const text = header.startsWith(">") ? body.join(" ") : body.join("\n");
		return header.endsWith("-") ? text : `${text}\n`;
	}
}

function scalar(text: string, at: number): string {
	if (text.startsWith('"')) {
		if (!text.endsWith('"') || text.length < 2) throw new Error(`line ${at}: unterminated string`);
		return JSON.parse(text) as string;
	}
	if (text.startsWith("'")) {
		if (!text.endsWith("'") || text.length < 2) throw new Error(`line ${at}: unterminated string`);
		return text.slice(1, -1).replaceAll("''", "'");
	}
	if (/^[[{&*!%@`|>]/.test(text) || / #|: /.test(text)) throw new Error(`line ${at}: a plain scalar this reader does not take: ${text}`);
	return text;
}
