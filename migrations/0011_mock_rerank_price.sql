-- The offline mock channel's rerank model, priced like mock-embedding (0004) so that a local rerank is metered and
-- billed as any. Skipped where an operator already priced the name.
INSERT INTO `prices` (`model`, `input_nusd_per_mtok`, `output_nusd_per_mtok`, `cached_input_nusd_per_mtok`, `cache_write_nusd_per_mtok`, `valid_from`)
SELECT 'mock-rerank', 10000000, 0, NULL, NULL, 0
WHERE NOT EXISTS (SELECT 1 FROM `prices` WHERE `model` = 'mock-rerank');
