-- Actions became Temporal Updates (docs/decisions.md, "Actions as Temporal Updates"): the queue
-- of respond-async signals is gone, and people's reads come from invoice_runs. A signal accepted
-- and not yet handed to Temporal would be lost: deploy once the old API has delivered them all.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "invoice_signal_requests" WHERE "status" = 'pending') THEN
    RAISE EXCEPTION 'invoice_signal_requests still holds pending signals: let the previous API deliver them (or fail them) before this migration';
  END IF;
END $$;
DROP TABLE "invoice_signal_requests";

-- A numbered invoice that is rejected and then refreshed is prefilled again.
ALTER TABLE "invoices" DROP CONSTRAINT "invoices_state_known";
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_state_known" CHECK ("state" IN
  ('prefilling', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'completed', 'cancelled', 'needs_attention'));

-- CreateTable
CREATE TABLE "invoice_runs" (
    "workflow_run_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "deal_id" TEXT NOT NULL,
    "customer_id" TEXT,
    "period" TEXT NOT NULL,
    "invoice_id" UUID,
    "invoice_number" TEXT,
    "currency" CHAR(3),
    "total" DECIMAL(20,2),
    "next_actor" TEXT,
    "started_by" TEXT NOT NULL,
    "view" JSONB NOT NULL,
    "preview" JSONB,
    "transition_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_runs_pkey" PRIMARY KEY ("workflow_run_id")
);

CREATE INDEX "invoice_runs_workflow_id_started_at_idx" ON "invoice_runs"("workflow_id", "started_at");
CREATE INDEX "invoice_runs_state_started_at_idx" ON "invoice_runs"("state", "started_at");
CREATE INDEX "invoice_runs_deal_id_idx" ON "invoice_runs"("deal_id");
CREATE INDEX "invoice_runs_customer_id_idx" ON "invoice_runs"("customer_id");
CREATE INDEX "invoice_runs_period_idx" ON "invoice_runs"("period");
CREATE INDEX "invoice_runs_invoice_number_idx" ON "invoice_runs"("invoice_number");

-- ---- Hand-written: not expressible in schema.prisma ----
ALTER TABLE "invoice_runs" ADD CONSTRAINT "invoice_runs_state_check" CHECK ("state" IN
  ('prefilling', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'completed', 'cancelled', 'needs_attention'));
ALTER TABLE "invoice_runs" ADD CONSTRAINT "invoice_runs_next_actor_check" CHECK ("next_actor" IN ('accountant', 'approver', 'operator'));

-- Runs confirmed before this migration get their row from the invoice they made; runs not yet
-- confirmed have none, and the API reads them from their workflow (api/invoices/read-invoice.ts).
INSERT INTO "invoice_runs" ("workflow_run_id", "workflow_id", "state", "deal_id", "customer_id", "period", "invoice_id", "invoice_number",
  "currency", "total", "next_actor", "started_by", "view", "preview", "transition_at", "started_at", "closed_at")
SELECT i."workflow_run_id", i."workflow_id", i."state", i."deal_id", i."customer_id", i."period", i."id", i."number",
  i."currency", i."total",
  CASE i."state" WHEN 'awaiting_confirmation' THEN 'accountant' WHEN 'awaiting_approval' THEN 'approver' WHEN 'needs_attention' THEN 'operator' END,
  COALESCE(i."confirmed_by", 'unknown'),
  jsonb_build_object('workflowId', i."workflow_id", 'state', i."state", 'dealId', i."deal_id", 'customerId', i."customer_id", 'period', i."period",
    'invoiceId', i."id", 'invoiceNumber', i."number", 'pdfVersion', i."current_pdf_version", 'startedBy', COALESCE(i."confirmed_by", 'unknown'),
    'confirmedBy', i."confirmed_by", 'approvedBy', i."approved_by", 'attention', NULL, 'dispatch', '{}'::jsonb, 'cancelReason', i."void_reason"),
  i."preview", i."updated_at", i."created_at", CASE WHEN i."state" IN ('completed', 'cancelled') THEN i."updated_at" END
FROM "invoices" i
ON CONFLICT DO NOTHING;
