-- Rate limits' buckets (healthcode.RateStore), one row a key: the keyed
-- hash of what is counted (a phone, an address, an account), never the
-- value. tat is the bucket's "theoretical arrival time" (GCRA): when it
-- would be full again. A row whose tat has passed is the same as none, so
-- purging those keeps the table to the keys seen within one period.
CREATE TABLE rate_limits (
	key_hash BLOB PRIMARY KEY,
	tat      INTEGER NOT NULL,
	allowed  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rate_limits_tat ON rate_limits (tat);
