-- The ledger at month-end size (docs/billing.md, section 13, Speed; bench/ledger.ts): a 100k-row
-- invoice spent most of its write in per-row triggers (the foreign key's check, the guard's
-- lookup of the invoice), and each prefill hashed every look-back row again.

-- The id hash the late-work day comparison XORs, computed once, at insert.
ALTER TABLE "billed_work" ADD COLUMN "worklog_hash" BIGINT
  GENERATED ALWAYS AS ((('x' || left(md5("worklog_id"::text), 16))::bit(64))::bigint) STORED;
DROP INDEX "billed_work_deal_date_live_idx";
CREATE INDEX "billed_work_deal_date_live_idx" ON "billed_work"("deal_id", "work_date")
  INCLUDE ("worklog_hash", "billable_minutes", "invoice_id") WHERE "released_at" IS NULL;

-- The same rules, checked once per statement over its rows instead of once per row.
ALTER TABLE "billed_work" DROP CONSTRAINT "billed_work_invoice_id_fkey";
DROP TRIGGER "billed_work_guard_change" ON "billed_work";

CREATE FUNCTION "billed_work_guard_statement"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- The foreign key, once per statement: every row's invoice exists.
    IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM "invoices" i WHERE i."id" = n."invoice_id")) THEN
      RAISE EXCEPTION 'billed_work rows must belong to an existing invoice' USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF EXISTS (SELECT 1 FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n."id" = o."id"))
       OR EXISTS (
         SELECT 1 FROM old_rows o JOIN new_rows n ON n."id" = o."id"
          WHERE o."released_at" IS NOT NULL OR n."released_at" IS NULL
             OR (to_jsonb(n) - 'released_at' - 'released_reason') IS DISTINCT FROM (to_jsonb(o) - 'released_at' - 'released_reason')) THEN
      RAISE EXCEPTION 'billed_work rows only change by being released once: update refused'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN "invoices" i ON i."id" = o."invoice_id" WHERE i."approved_at" IS NOT NULL) THEN
      RAISE EXCEPTION 'billed_work of an approved invoice is history: delete refused (void the invoice to release it)'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "billed_work_guard_insert" AFTER INSERT ON "billed_work"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "billed_work_guard_statement"();
CREATE TRIGGER "billed_work_guard_update" AFTER UPDATE ON "billed_work"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "billed_work_guard_statement"();
CREATE TRIGGER "billed_work_guard_delete" AFTER DELETE ON "billed_work"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "billed_work_guard_statement"();

-- The other half of the foreign key: an invoice with ledger rows is never deleted.
CREATE FUNCTION "invoices_keep_billed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "billed_work" WHERE "invoice_id" = OLD."id") THEN
    RAISE EXCEPTION 'invoice % has billed-work rows: delete refused', OLD."id" USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER "invoices_keep_billed_work" BEFORE DELETE ON "invoices"
  FOR EACH ROW EXECUTE FUNCTION "invoices_keep_billed"();
