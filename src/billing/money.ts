/** Money is integer nano-USD (1e-9 USD) inside the gateway, so sums are exact; the API speaks USD. */
export const NUSD_PER_USD = 1_000_000_000;

export const toNusd = (usd: number): number => Math.round(usd * NUSD_PER_USD);

export const toUsd = (nusd: number): number => nusd / NUSD_PER_USD;
