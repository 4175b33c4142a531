-- The id hash is computed by the insert itself (db/billed-work.ts writeBilledWork: the first 8
-- bytes of md5(id) as a signed big-endian integer, as ClickHouse computes it), not by a
-- generated column's per-row evaluation. Existing values are kept.
ALTER TABLE "billed_work" ALTER COLUMN "worklog_hash" DROP EXPRESSION IF EXISTS;
ALTER TABLE "billed_work" ALTER COLUMN "worklog_hash" SET NOT NULL;
