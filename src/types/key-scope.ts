/**
 * The API surfaces a key may be allowed to call (src/auth/scopes.ts maps each route to one). Below the layers that
 * check them, because a cached key (CallerKey) carries its own.
 */
export const KEY_SCOPES = ["relay", "files", "vector_stores", "memory", "conversations", "batches", "usage"] as const;

export type KeyScope = (typeof KEY_SCOPES)[number];
