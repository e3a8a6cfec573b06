-- facts.person_id loses its foreign key. Every writer of facts holds the
-- person's row lock while it adds them (LockPerson, LockByIdentity, or the
-- transaction that creates the person), so the person exists and stays;
-- persons are never deleted. The key's per-row check, a lookup and a share
-- lock on persons, cost a third of a feed's throughput
-- (BenchmarkIngestPostgres: 17 000 → 26 000 rows/s), and its share lock
-- taken before a batch's exclusive one was how overlapping feeds once
-- deadlocked. SQLite keeps the key (0002_facts_person_key.sqlite.sql and
-- docs/store.md say why).
ALTER TABLE facts DROP CONSTRAINT facts_person_id_fkey;
