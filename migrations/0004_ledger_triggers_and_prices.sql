-- The ledger is the only writer of balances: inserting an entry records the balance before and after and moves
-- the user's balance (and, for usage and refunds, the key's spend) in the same statement. Entries cannot be
-- changed or removed afterwards.
CREATE TRIGGER `ledger_apply` AFTER INSERT ON `ledger_entries`
BEGIN
	UPDATE `ledger_entries`
	SET `balance_before_nusd` = (SELECT `balance_nusd` FROM `users` WHERE `id` = NEW.`user_id`),
		`balance_after_nusd` = (SELECT `balance_nusd` FROM `users` WHERE `id` = NEW.`user_id`) + NEW.`amount_nusd`
	WHERE `id` = NEW.`id`;
	UPDATE `users` SET `balance_nusd` = `balance_nusd` + NEW.`amount_nusd` WHERE `id` = NEW.`user_id`;
	UPDATE `tokens` SET `spent_nusd` = `spent_nusd` - NEW.`amount_nusd` WHERE `id` = NEW.`token_id` AND NEW.`kind` IN ('usage', 'refund');
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_no_update` BEFORE UPDATE ON `ledger_entries` WHEN OLD.`balance_after_nusd` IS NOT NULL
BEGIN
	SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_no_delete` BEFORE DELETE ON `ledger_entries`
BEGIN
	SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
--> statement-breakpoint
-- Public list prices (USD per million tokens, as nano-USD) of common models when this was written: editable
-- data, changed with PUT /api/prices/:model. The mock models carry small made-up prices so that the local
-- gateway shows costs end to end.
INSERT INTO `prices` (`model`, `input_nusd_per_mtok`, `output_nusd_per_mtok`, `cached_input_nusd_per_mtok`, `cache_write_nusd_per_mtok`, `valid_from`) VALUES
	('gpt-4o', 2500000000, 10000000000, 1250000000, NULL, 0),
	('gpt-4o-mini', 150000000, 600000000, 75000000, NULL, 0),
	('gpt-4.1', 2000000000, 8000000000, 500000000, NULL, 0),
	('gpt-4.1-mini', 400000000, 1600000000, 100000000, NULL, 0),
	('gpt-4.1-nano', 100000000, 400000000, 25000000, NULL, 0),
	('gpt-5', 1250000000, 10000000000, 125000000, NULL, 0),
	('gpt-5-mini', 250000000, 2000000000, 25000000, NULL, 0),
	('gpt-5-nano', 50000000, 400000000, 5000000, NULL, 0),
	('o3', 2000000000, 8000000000, 500000000, NULL, 0),
	('o4-mini', 1100000000, 4400000000, 275000000, NULL, 0),
	('text-embedding-3-small', 20000000, 0, NULL, NULL, 0),
	('text-embedding-3-large', 130000000, 0, NULL, NULL, 0),
	('claude-opus-4-1', 15000000000, 75000000000, 1500000000, 18750000000, 0),
	('claude-sonnet-4-5', 3000000000, 15000000000, 300000000, 3750000000, 0),
	('claude-haiku-4-5', 1000000000, 5000000000, 100000000, 1250000000, 0),
	('gemini-2.5-pro', 1250000000, 10000000000, 310000000, NULL, 0),
	('gemini-2.5-flash', 300000000, 2500000000, 75000000, NULL, 0),
	('gemini-2.5-flash-lite', 100000000, 400000000, 25000000, NULL, 0),
	('deepseek-chat', 280000000, 420000000, 28000000, NULL, 0),
	('deepseek-reasoner', 280000000, 420000000, 28000000, NULL, 0),
	('mock-chat', 100000000, 400000000, 50000000, NULL, 0),
	('mock-chat-large', 1000000000, 4000000000, 500000000, NULL, 0),
	('mock-embedding', 10000000, 0, NULL, NULL, 0);
