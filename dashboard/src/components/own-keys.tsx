import type { ComponentChildren } from "preact";
import { get } from "../api";
import { session } from "../session";
import type { Token } from "./api-types";
import { Async, Empty, useLoad } from "./async";

/**
 * The user the operator's own session stands for (the admin user, which the gateway's bootstrap creates): files,
 * stores and memories belong to a user, and the gateway lets a session act only as its own user's keys
 * (src/auth/policy.ts, sessionKeyOwner).
 */
const ADMIN_USER_ID = 1;

const usable = (k: Token) => k.app_id === null && k.status === "active" && (k.expires_at === null || Date.parse(k.expires_at) > Date.now());

/**
 * The signed-in user's own usable keys, for the pages that act as one of them (Knowledge, Memories); `empty` when
 * there is none, and how many of the user's keys are not usable (disabled, expired).
 */
export function OwnKeys({ empty, children }: { empty: ComponentChildren; children: (keys: Token[], hidden: number) => ComponentChildren }) {
	const owner = session.value?.userId ?? ADMIN_USER_ID;
	const tokens = useLoad(() => get<{ data: Token[] }>("/api/tokens").then((r) => r.data.filter((k) => k.user_id === owner)), [owner]);
	return (
		<Async load={tokens}>
			{(own) => {
				const keys = own.filter(usable);
				return keys.length === 0 ? <Empty>{empty}</Empty> : children(keys, own.length - keys.length);
			}}
		</Async>
	);
}
