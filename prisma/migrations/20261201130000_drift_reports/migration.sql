-- Drift (docs/billing.md, "Drift"): reports of billed worklogs that changed in the sources after
-- their invoice was finalized. Written by the nightly check (and by operators); never changed.
CREATE TABLE "drift_reports" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requested_by" TEXT NOT NULL,
    "months" INTEGER NOT NULL,
    "period_end_from" DATE NOT NULL,
    "invoices_checked" INTEGER NOT NULL,
    "invoices_with_drift" INTEGER NOT NULL,
    "worklogs_checked" INTEGER NOT NULL,
    "invoices" JSONB NOT NULL,
    "changes" JSONB NOT NULL,
    "totals" JSONB NOT NULL,
    "problems" JSONB NOT NULL,

    CONSTRAINT "drift_reports_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "drift_reports_counts" CHECK ("invoices_with_drift" BETWEEN 0 AND "invoices_checked" AND "worklogs_checked" >= 0 AND "months" >= 1)
);

-- The latest report is what the billing runs and GET /drift-reports read first.
CREATE INDEX "drift_reports_created_at_idx" ON "drift_reports"("created_at" DESC);

-- How far back the nightly report looks: invoices whose period ended within this many months.
INSERT INTO "settings" ("key", "value") VALUES
  ('driftCheckMonths', '3')
ON CONFLICT ("key") DO NOTHING;
