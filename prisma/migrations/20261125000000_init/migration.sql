-- Initial schema. Generated from prisma/schema.prisma by `bash scripts/new-migration.sh`
-- (Prisma's own diff), then extended by hand below the marker with what Prisma cannot express.
-- CreateTable
CREATE TABLE "invoices" (
    "id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "workflow_run_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "deal_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "period_from" DATE NOT NULL,
    "period_to" DATE NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'en',
    "subtotal" DECIMAL(20,2) NOT NULL,
    "vat_rate" DECIMAL(5,2) NOT NULL,
    "vat_amount" DECIMAL(20,2) NOT NULL,
    "total" DECIMAL(20,2) NOT NULL,
    "number" TEXT,
    "number_year" INTEGER,
    "number_seq" INTEGER,
    "issue_date" DATE,
    "due_date" DATE,
    "preview" JSONB NOT NULL,
    "source_fingerprint" TEXT NOT NULL,
    "current_pdf_version" INTEGER,
    "confirmed_by" TEXT,
    "confirmed_at" TIMESTAMPTZ(3),
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "voided_at" TIMESTAMPTZ(3),
    "void_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_line_items" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "line_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "quantity" DECIMAL(14,4) NOT NULL,
    "unit" TEXT NOT NULL,
    "rate" DECIMAL(20,4) NOT NULL,
    "amount" DECIMAL(20,2) NOT NULL,
    "explanation" JSONB NOT NULL,
    "manual_reason" TEXT,

    CONSTRAINT "invoice_line_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_pdfs" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "pdf_data" BYTEA NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "template_version" TEXT NOT NULL,
    "input_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_pdfs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_events" (
    "id" BIGSERIAL NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "workflow_run_id" TEXT NOT NULL,
    "invoice_id" UUID,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_rules" (
    "id" UUID NOT NULL,
    "deal_id" TEXT,
    "customer_id" TEXT,
    "category" TEXT,
    "rate" DECIMAL(20,4) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_to" DATE,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "category_rules" (
    "id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "issue_types" TEXT[],
    "labels" TEXT[],
    "components" TEXT[],
    "tempo_accounts" TEXT[],
    "project_keys" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "category_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "invoice_number_counters" (
    "year" INTEGER NOT NULL,
    "last_value" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_number_counters_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "external_references" (
    "id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "system" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "pdf_version" INTEGER,
    "status" TEXT NOT NULL,
    "external_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "external_references_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invoices_workflow_run_id_key" ON "invoices"("workflow_run_id");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_number_key" ON "invoices"("number");

-- CreateIndex
CREATE INDEX "invoices_workflow_id_idx" ON "invoices"("workflow_id");

-- CreateIndex
CREATE INDEX "invoices_state_idx" ON "invoices"("state");

-- CreateIndex
CREATE INDEX "invoices_deal_id_period_idx" ON "invoices"("deal_id", "period");

-- CreateIndex
CREATE INDEX "invoices_customer_id_idx" ON "invoices"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_number_year_number_seq_key" ON "invoices"("number_year", "number_seq");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_line_items_invoice_id_position_key" ON "invoice_line_items"("invoice_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_pdfs_invoice_id_version_key" ON "invoice_pdfs"("invoice_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_events_idempotency_key_key" ON "invoice_events"("idempotency_key");

-- CreateIndex
CREATE INDEX "invoice_events_workflow_id_id_idx" ON "invoice_events"("workflow_id", "id");

-- CreateIndex
CREATE INDEX "invoice_events_invoice_id_id_idx" ON "invoice_events"("invoice_id", "id");

-- CreateIndex
CREATE INDEX "rate_rules_deal_id_idx" ON "rate_rules"("deal_id");

-- CreateIndex
CREATE INDEX "rate_rules_customer_id_idx" ON "rate_rules"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "category_rules_position_key" ON "category_rules"("position");

-- CreateIndex
CREATE UNIQUE INDEX "external_references_invoice_id_system_purpose_key" ON "external_references"("invoice_id", "system", "purpose");

-- AddForeignKey
ALTER TABLE "invoice_line_items" ADD CONSTRAINT "invoice_line_items_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice_pdfs" ADD CONSTRAINT "invoice_pdfs_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "external_references" ADD CONSTRAINT "external_references_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- ---- Hand-written below: not expressible in schema.prisma ----

-- Events are append-only, enforced by the database: no UPDATE, DELETE or TRUNCATE.
CREATE FUNCTION "invoice_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'invoice_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "invoice_events_no_update_delete"
  BEFORE UPDATE OR DELETE ON "invoice_events"
  FOR EACH ROW EXECUTE FUNCTION "invoice_events_refuse_change"();

CREATE TRIGGER "invoice_events_no_truncate"
  BEFORE TRUNCATE ON "invoice_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "invoice_events_refuse_change"();

-- Money and rates are never negative where the product forbids it.
ALTER TABLE "rate_rules" ADD CONSTRAINT "rate_rules_rate_nonnegative" CHECK ("rate" >= 0);
ALTER TABLE "rate_rules" ADD CONSTRAINT "rate_rules_valid_range" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from");
ALTER TABLE "invoice_number_counters" ADD CONSTRAINT "invoice_number_counters_positive" CHECK ("last_value" >= 0);
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_period_range" CHECK ("period_to" > "period_from");
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_state_known" CHECK ("state" IN
  ('finalizing', 'awaiting_approval', 'awaiting_confirmation', 'dispatching', 'completed', 'cancelled', 'needs_attention'));

-- Default settings (admins change them through the API; the code knows the same defaults).
INSERT INTO "settings" ("key", "value") VALUES
  ('invoiceNumberPrefix', '"INV-"'),
  ('minBillableMinutes', '15'),
  ('roundingIncrementMinutes', '15'),
  ('defaultVatRate', '"12"'),
  ('defaultCategory', '"General"'),
  ('makerChecker', 'true'),
  ('approvalReminderHours', '48'),
  ('defaultPaymentTermsDays', '10'),
  ('seller', '{"name": "Example Software LLC", "legalName": "\"Example Software\" LLC", "tin": "305123456", "vatRegCode": "326060012345", "address": "Tashkent, Yunusabad district, Amir Temur street 107B", "bankName": "JSCB \"Kapitalbank\", Tashkent", "bankAccount": "20208000900123456001", "mfo": "01018", "swift": "KACHUZ22", "director": "Aliyev Rustam", "accountant": "Karimova Dilnoza", "email": "billing@example.uz", "phone": "+998 71 200 00 00"}')
ON CONFLICT ("key") DO NOTHING;

-- Default category rules, first match wins (admins edit them through the API).
INSERT INTO "category_rules" ("id", "position", "category", "issue_types", "labels", "components", "tempo_accounts", "project_keys", "updated_at") VALUES
  ('00000000-0000-4000-8000-000000000010', 10, 'Support',            '{}',                          '{support}',      '{}', '{}', '{}', CURRENT_TIMESTAMP),
  ('00000000-0000-4000-8000-000000000020', 20, 'Bug fixing',         '{Bug}',                       '{}',             '{}', '{}', '{}', CURRENT_TIMESTAMP),
  ('00000000-0000-4000-8000-000000000030', 30, 'Support',            '{Support}',                   '{}',             '{}', '{}', '{}', CURRENT_TIMESTAMP),
  ('00000000-0000-4000-8000-000000000040', 40, 'Project management', '{}',                          '{pm,meeting}',   '{}', '{}', '{}', CURRENT_TIMESTAMP),
  ('00000000-0000-4000-8000-000000000050', 50, 'Development',        '{Story,Task,Sub-task,Epic}',  '{}',             '{}', '{}', '{}', CURRENT_TIMESTAMP)
ON CONFLICT DO NOTHING;
