-- Rate limits' buckets (healthcode.RateStore), one row a key: the keyed
-- hash of what is counted (a phone, an address, an account), never the
-- value. tat is the bucket's "theoretical arrival time" (GCRA): when it
-- would be full again. A row whose tat has passed is the same as none, so
-- purging those keeps the table to the keys seen within one period.
-- UNLOGGED: a take writes no WAL, so its commit does not wait for a disk
-- flush (BenchmarkOTPLimiter: a limited code request cost 2.2-2.9× an
-- unlimited one with a logged table, 1.15-1.18× unlogged). The price: a
-- crash or a fail-over to a standby starts every bucket full again,
-- which a limit can afford.
CREATE UNLOGGED TABLE rate_limits (
	key_hash bytea PRIMARY KEY,
	tat      timestamptz NOT NULL,
	allowed  boolean NOT NULL
);
CREATE INDEX rate_limits_tat ON rate_limits (tat);
