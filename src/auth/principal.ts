/**
 * Who is calling the API under /api: the operator (the admin token, or a dashboard session of a user with the
 * admin role), or a user, by one of their gateway keys or a dashboard session (then `tokenId` is null).
 */
export type Principal = { role: "admin"; userId: number | null } | { role: "user"; userId: number; tokenId: number | null };
