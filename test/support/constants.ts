export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";
export const TEST_ENCRYPTION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/** The limit fields of a key, user or group that has none, as the admin API shows them. */
export const NO_LIMITS_VIEW = { rpm: null, tpm: null, max_concurrency: null, budget_daily_usd: null, budget_monthly_usd: null, quota_usd: null };
