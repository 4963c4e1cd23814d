import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Applying is idempotent (tracked in d1_migrations), so every test file may call it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
