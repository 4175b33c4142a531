-- The database protects its own records (issue 15; docs/decisions.md, "The database protects its
-- own records"). Together with the app's role, which owns nothing (prisma/grant-app-role.ts), these
-- triggers hold whatever the code above them does.

-- One refusal for every append-only table, naming the table (it named invoice_events for all).
CREATE OR REPLACE FUNCTION "invoice_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Invoice PDFs are what people saw and approved: append-only, like the credit notes' PDFs.
CREATE TRIGGER "invoice_pdfs_no_update_delete"
  BEFORE UPDATE OR DELETE ON "invoice_pdfs"
  FOR EACH ROW EXECUTE FUNCTION "invoice_events_refuse_change"();
CREATE TRIGGER "invoice_pdfs_no_truncate"
  BEFORE TRUNCATE ON "invoice_pdfs"
  FOR EACH STATEMENT EXECUTE FUNCTION "invoice_events_refuse_change"();

-- An approval and a void are facts: once recorded they are never taken back (the ledger's rules
-- below rest on them).
CREATE FUNCTION "invoices_keep_approval_and_void"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."approved_at" IS NOT NULL AND NEW."approved_at" IS NULL THEN
    RAISE EXCEPTION 'invoice % was approved: its approval cannot be removed', OLD."id" USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD."voided_at" IS NOT NULL AND NEW."voided_at" IS NULL THEN
    RAISE EXCEPTION 'invoice % is void: a void cannot be undone', OLD."id" USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "invoices_keep_approval_and_void"
  BEFORE UPDATE OF "approved_at", "voided_at" ON "invoices"
  FOR EACH ROW EXECUTE FUNCTION "invoices_keep_approval_and_void"();

-- The billed-work ledger changes only as the product rules say (docs/billing.md, section 13):
--   INSERT: rows of an existing invoice nobody approved or voided (finalization);
--   UPDATE: a release, once, of a row of a voided invoice (only released_at and released_reason);
--   DELETE: live rows of an invoice nobody approved or voided (a re-finalization after a reject
--           replaces its rows); approved work is history and released rows are kept.
CREATE OR REPLACE FUNCTION "billed_work_guard_statement"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- The foreign key, once per statement: every row's invoice exists.
    IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM "invoices" i WHERE i."id" = n."invoice_id")) THEN
      RAISE EXCEPTION 'billed_work rows must belong to an existing invoice' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n JOIN "invoices" i ON i."id" = n."invoice_id" WHERE i."approved_at" IS NOT NULL OR i."voided_at" IS NOT NULL) THEN
      RAISE EXCEPTION 'billed_work is written at finalization: insert refused for an approved or void invoice'
        USING ERRCODE = 'insufficient_privilege';
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
    IF EXISTS (SELECT 1 FROM new_rows n JOIN "invoices" i ON i."id" = n."invoice_id" WHERE i."voided_at" IS NULL) THEN
      RAISE EXCEPTION 'billed_work rows are released by voiding their invoice: update refused (the invoice is not void)'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM old_rows o WHERE o."released_at" IS NOT NULL) THEN
      RAISE EXCEPTION 'billed_work rows that were released are history: delete refused'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM old_rows o JOIN "invoices" i ON i."id" = o."invoice_id" WHERE i."approved_at" IS NOT NULL OR i."voided_at" IS NOT NULL) THEN
      RAISE EXCEPTION 'billed_work of an approved or void invoice is history: delete refused (void the invoice to release it)'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- Every change of a setting: who, the value before and after, when. Written by a trigger, so a
-- change from psql or a migration is recorded too; the API names the person with
-- set_config('invoicing.actor', ..., true) in the same transaction (db/save-setting.ts), anyone
-- else is recorded as their database role.
CREATE TABLE "setting_changes" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "value_before" JSONB,
    "value_after" JSONB,
    "changed_by" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "setting_changes_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "setting_changes_key_id_idx" ON "setting_changes"("key", "id");

CREATE TRIGGER "setting_changes_no_update_delete"
  BEFORE UPDATE OR DELETE ON "setting_changes"
  FOR EACH ROW EXECUTE FUNCTION "invoice_events_refuse_change"();
CREATE TRIGGER "setting_changes_no_truncate"
  BEFORE TRUNCATE ON "setting_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "invoice_events_refuse_change"();

CREATE FUNCTION "settings_record_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  actor text := COALESCE(NULLIF(current_setting('invoicing.actor', true), ''), 'db:' || session_user);
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "setting_changes" ("key", "value_before", "value_after", "changed_by") VALUES (NEW."key", NULL, NEW."value", actor);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "setting_changes" ("key", "value_before", "value_after", "changed_by") VALUES (OLD."key", OLD."value", NULL, actor);
  ELSE
    INSERT INTO "setting_changes" ("key", "value_before", "value_after", "changed_by") VALUES (NEW."key", OLD."value", NEW."value", actor);
  END IF;
  RETURN NULL;
END $$;

-- A save that keeps the value (a form sent again) changes nothing worth recording.
CREATE TRIGGER "settings_record_insert_delete"
  AFTER INSERT OR DELETE ON "settings"
  FOR EACH ROW EXECUTE FUNCTION "settings_record_change"();
CREATE TRIGGER "settings_record_update"
  AFTER UPDATE ON "settings"
  FOR EACH ROW WHEN (OLD."value" IS DISTINCT FROM NEW."value" OR OLD."key" IS DISTINCT FROM NEW."key")
  EXECUTE FUNCTION "settings_record_change"();

-- TRUNCATE would bypass the row triggers above: settings are never truncated.
CREATE FUNCTION "settings_refuse_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'settings change key by key, each change recorded: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER "settings_no_truncate"
  BEFORE TRUNCATE ON "settings"
  FOR EACH STATEMENT EXECUTE FUNCTION "settings_refuse_truncate"();
