-- CreateTable
CREATE TABLE "credit_notes" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "correction" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "lines" JSONB NOT NULL,
    "subtotal" DECIMAL(20,2) NOT NULL,
    "vat_rate" DECIMAL(5,2) NOT NULL,
    "vat_amount" DECIMAL(20,2) NOT NULL,
    "total" DECIMAL(20,2) NOT NULL,
    "number" TEXT,
    "number_year" INTEGER,
    "number_seq" INTEGER,
    "issue_date" DATE,
    "current_pdf_version" INTEGER,
    "requested_by" TEXT NOT NULL,
    "confirmed_by" TEXT,
    "confirmed_at" TIMESTAMPTZ(3),
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "view" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "credit_notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_note_pdfs" (
    "id" UUID NOT NULL,
    "credit_note_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "pdf_data" BYTEA NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "template_version" TEXT NOT NULL,
    "input_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_note_pdfs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_note_number_counters" (
    "year" INTEGER NOT NULL,
    "last_value" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_note_number_counters_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "external_key" TEXT NOT NULL,
    "amount" DECIMAL(20,2) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "paid_on" DATE NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "note" TEXT,
    "confirms_payment_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "credit_notes_workflow_id_key" ON "credit_notes"("workflow_id");

-- CreateIndex
CREATE UNIQUE INDEX "credit_notes_number_key" ON "credit_notes"("number");

-- CreateIndex
CREATE INDEX "credit_notes_invoice_id_idx" ON "credit_notes"("invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "credit_notes_invoice_id_seq_key" ON "credit_notes"("invoice_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "credit_notes_number_year_number_seq_key" ON "credit_notes"("number_year", "number_seq");

-- CreateIndex
CREATE UNIQUE INDEX "credit_note_pdfs_credit_note_id_version_key" ON "credit_note_pdfs"("credit_note_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "payments_confirms_payment_id_key" ON "payments"("confirms_payment_id");

-- CreateIndex
CREATE INDEX "payments_invoice_id_idx" ON "payments"("invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "payments_invoice_id_external_key_key" ON "payments"("invoice_id", "external_key");

-- AddForeignKey
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_note_pdfs" ADD CONSTRAINT "credit_note_pdfs_credit_note_id_fkey" FOREIGN KEY ("credit_note_id") REFERENCES "credit_notes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- ---- Hand-written below: not expressible in schema.prisma ----

ALTER TABLE "credit_notes"
  ADD CONSTRAINT "credit_notes_kind" CHECK ("kind" IN ('partial', 'void')),
  ADD CONSTRAINT "credit_notes_correction" CHECK ("correction" IN ('error', 'terms')),
  ADD CONSTRAINT "credit_notes_amounts" CHECK ("subtotal" >= 0 AND "vat_amount" >= 0 AND "total" > 0 AND "total" = "subtotal" + "vat_amount"),
  ADD CONSTRAINT "credit_notes_seq" CHECK ("seq" >= 1);

-- At most one void in progress or done per invoice.
CREATE UNIQUE INDEX "credit_notes_one_void" ON "credit_notes"("invoice_id") WHERE "kind" = 'void' AND "state" <> 'cancelled';

-- Credit notes of an invoice never exceed it: the numbered ones that are not cancelled, together,
-- are at most the invoice's total. The invoice row is locked, so two finalizations queue up.
CREATE FUNCTION "credit_notes_within_invoice"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  invoice_total numeric;
  credited numeric;
BEGIN
  IF NEW."number" IS NULL OR NEW."state" = 'cancelled' THEN RETURN NEW; END IF;
  SELECT "total" INTO invoice_total FROM "invoices" WHERE "id" = NEW."invoice_id" FOR UPDATE;
  SELECT COALESCE(SUM("total"), 0) INTO credited FROM "credit_notes"
   WHERE "invoice_id" = NEW."invoice_id" AND "id" <> NEW."id" AND "number" IS NOT NULL AND "state" <> 'cancelled';
  IF credited + NEW."total" > invoice_total THEN
    RAISE EXCEPTION 'credit note % of % exceeds what is left of invoice %: % of % already credited', NEW."id", NEW."total", NEW."invoice_id", credited, invoice_total
      USING ERRCODE = 'check_violation', CONSTRAINT = 'credit_notes_within_invoice';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "credit_notes_within_invoice"
  BEFORE INSERT OR UPDATE OF "number", "state", "total" ON "credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "credit_notes_within_invoice"();

-- A credit note's figures are fixed once it has a number (it is a document that was sent).
CREATE FUNCTION "credit_notes_fixed_once_numbered"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."number" IS NOT NULL AND (NEW."number" IS DISTINCT FROM OLD."number" OR NEW."total" <> OLD."total" OR NEW."subtotal" <> OLD."subtotal"
      OR NEW."vat_amount" <> OLD."vat_amount" OR NEW."lines" <> OLD."lines" OR NEW."invoice_id" <> OLD."invoice_id") THEN
    RAISE EXCEPTION 'credit note % is numbered (%): its number, lines and figures cannot change', OLD."id", OLD."number"
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "credit_notes_fixed_once_numbered"
  BEFORE UPDATE ON "credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "credit_notes_fixed_once_numbered"();

CREATE TRIGGER "credit_notes_no_delete"
  BEFORE DELETE ON "credit_notes"
  FOR EACH ROW EXECUTE FUNCTION "invoice_events_refuse_change"();
CREATE TRIGGER "credit_notes_no_truncate"
  BEFORE TRUNCATE ON "credit_notes"
  FOR EACH STATEMENT EXECUTE FUNCTION "invoice_events_refuse_change"();

-- PDFs and payments are append-only, like the events.
CREATE TRIGGER "credit_note_pdfs_no_update_delete"
  BEFORE UPDATE OR DELETE ON "credit_note_pdfs"
  FOR EACH ROW EXECUTE FUNCTION "invoice_events_refuse_change"();
CREATE TRIGGER "credit_note_pdfs_no_truncate"
  BEFORE TRUNCATE ON "credit_note_pdfs"
  FOR EACH STATEMENT EXECUTE FUNCTION "invoice_events_refuse_change"();

ALTER TABLE "payments"
  ADD CONSTRAINT "payments_source" CHECK ("source" IN ('planfact', 'manual')),
  ADD CONSTRAINT "payments_amount" CHECK ("amount" > 0),
  ADD CONSTRAINT "payments_confirms_other" CHECK ("confirms_payment_id" IS DISTINCT FROM "id"),
  ADD CONSTRAINT "payments_confirms_payment_id_fkey" FOREIGN KEY ("confirms_payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT;

CREATE TRIGGER "payments_no_update_delete"
  BEFORE UPDATE OR DELETE ON "payments"
  FOR EACH ROW EXECUTE FUNCTION "invoice_events_refuse_change"();
CREATE TRIGGER "payments_no_truncate"
  BEFORE TRUNCATE ON "payments"
  FOR EACH STATEMENT EXECUTE FUNCTION "invoice_events_refuse_change"();

-- What each invoice amounts to after credit notes and payments: receivables read it.
-- credited = approved credit notes (a credit note reduces what is owed once a second person approved it);
-- paid = payments not confirming another (a PlanFact payment seen after it was recorded by hand counts once).
CREATE VIEW "invoice_balances" AS
SELECT i."id" AS "invoice_id",
       i."total",
       COALESCE(cn."credited", 0) AS "credited",
       COALESCE(p."paid", 0) AS "paid",
       GREATEST(i."total" - COALESCE(cn."credited", 0) - COALESCE(p."paid", 0), 0) AS "due",
       COALESCE(p."last_paid_on", NULL) AS "last_paid_on"
  FROM "invoices" i
  LEFT JOIN (SELECT "invoice_id", SUM("total") AS "credited" FROM "credit_notes"
              WHERE "approved_at" IS NOT NULL AND "state" <> 'cancelled' GROUP BY "invoice_id") cn ON cn."invoice_id" = i."id"
  LEFT JOIN (SELECT "invoice_id", SUM("amount") AS "paid", MAX("paid_on") AS "last_paid_on" FROM "payments"
              WHERE "confirms_payment_id" IS NULL GROUP BY "invoice_id") p ON p."invoice_id" = i."id";

-- The invoice's payment status as the workflow last wrote it (receivables filter by it).
ALTER TABLE "invoices" ADD COLUMN "payment_status" TEXT;
CREATE INDEX "invoices_payment_status_idx" ON "invoices"("payment_status", "due_date");

INSERT INTO "settings" ("key", "value") VALUES
  ('creditNoteNumberPrefix', '"CN-"'),
  ('paymentReminderDays', '[3, 10, 30]'),
  ('paymentCheckHours', '6')
ON CONFLICT ("key") DO NOTHING;
