-- The billed-work ledger (docs/billing.md, "The billed-work ledger"): one row per worklog an
-- invoice bills, written with the invoice at finalization.
CREATE TABLE "billed_work" (
    "id" BIGSERIAL NOT NULL,
    "invoice_id" UUID NOT NULL,
    "deal_id" TEXT NOT NULL,
    "worklog_id" BIGINT NOT NULL,
    "worklog_version" BIGINT NOT NULL,
    "issue_id" BIGINT NOT NULL,
    "issue_key" TEXT NOT NULL,
    "work_date" DATE NOT NULL,
    "raw_seconds" INTEGER NOT NULL,
    "billable_minutes" INTEGER NOT NULL,
    "line_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(3),
    "released_reason" TEXT,

    CONSTRAINT "billed_work_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "billed_work_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "billed_work_positive" CHECK ("raw_seconds" > 0 AND "billable_minutes" > 0),
    CONSTRAINT "billed_work_released_with_reason" CHECK (("released_at" IS NULL) = ("released_reason" IS NULL))
);

-- The rule itself: a worklog is billed on at most one invoice that is not void. A void releases
-- its rows (below), which takes them out of this index and leaves them in the table.
CREATE UNIQUE INDEX "billed_work_live_worklog" ON "billed_work"("worklog_id") WHERE "released_at" IS NULL;
CREATE INDEX "billed_work_invoice_idx" ON "billed_work"("invoice_id");
CREATE INDEX "billed_work_deal_date_live_idx" ON "billed_work"("deal_id", "work_date") WHERE "released_at" IS NULL;

-- Rows are history: the only change is a release (once); rows are deleted only to be replaced
-- by a re-finalization, which happens before approval.
CREATE FUNCTION "billed_work_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'billed_work is history: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD."released_at" IS NOT NULL OR NEW."released_at" IS NULL
       OR (to_jsonb(NEW) - 'released_at' - 'released_reason') IS DISTINCT FROM (to_jsonb(OLD) - 'released_at' - 'released_reason') THEN
      RAISE EXCEPTION 'billed_work rows only change by being released once: update of row % refused', OLD."id"
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM "invoices" WHERE "id" = OLD."invoice_id" AND "approved_at" IS NOT NULL) THEN
    RAISE EXCEPTION 'billed_work of an approved invoice is history: delete of row % refused (void the invoice to release it)', OLD."id"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER "billed_work_guard_change"
  BEFORE UPDATE OR DELETE ON "billed_work"
  FOR EACH ROW EXECUTE FUNCTION "billed_work_guard"();

CREATE TRIGGER "billed_work_no_truncate"
  BEFORE TRUNCATE ON "billed_work"
  FOR EACH STATEMENT EXECUTE FUNCTION "billed_work_guard"();

-- Voiding an invoice releases its worklogs in the same statement, whoever voids it.
CREATE FUNCTION "invoices_release_billed_work"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "billed_work" SET "released_at" = NEW."voided_at", "released_reason" = 'void: ' || COALESCE(NEW."void_reason", '')
   WHERE "invoice_id" = NEW."id" AND "released_at" IS NULL;
  RETURN NEW;
END $$;

CREATE TRIGGER "invoices_void_releases_billed_work"
  AFTER UPDATE OF "voided_at" ON "invoices"
  FOR EACH ROW WHEN (OLD."voided_at" IS NULL AND NEW."voided_at" IS NOT NULL)
  EXECUTE FUNCTION "invoices_release_billed_work"();

-- Invoices of one deal are looked up by period (overlap check at start, late-work coverage).
CREATE INDEX "invoices_deal_period_range_idx" ON "invoices"("deal_id", "period_from", "period_to");

-- Late work: how many months back a prefill looks for unbilled work of invoiced months.
INSERT INTO "settings" ("key", "value") VALUES
  ('lateWorkLookbackMonths', '3'),
  ('lateWorkLookbackMonthsByDeal', '{}')
ON CONFLICT ("key") DO NOTHING;
