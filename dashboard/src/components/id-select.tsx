/** A choice among things that have an id and a name, shown as "name (#id)", after a first choice of all of them. */

import type { CSSProperties } from "preact";

export function IdSelect({
	items,
	value,
	onChange,
	allLabel,
	testid,
	id,
	name,
	style,
}: {
	items: { id: number; name: string }[];
	/** The chosen id as a string; "" for all. */
	value: string;
	onChange: (value: string) => void;
	allLabel: string;
	testid: string;
	id?: string;
	name?: string;
	style?: CSSProperties;
}) {
	return (
		<select id={id} name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)} data-testid={testid} style={style}>
			<option value="">{allLabel}</option>
			{items.map((item) => (
				<option key={item.id} value={String(item.id)}>
					{item.name} (#{item.id})
				</option>
			))}
		</select>
	);
}
