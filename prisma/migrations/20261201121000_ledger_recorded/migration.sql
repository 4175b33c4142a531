-- Whether the invoice's worklogs are in the billed-work ledger: false for invoices finalized
-- before it existed. Only recorded invoices make later-synced work "late" (their worklogs are
-- known) and can be checked for drift.
ALTER TABLE "invoices" ADD COLUMN IF NOT EXISTS "ledger_recorded" BOOLEAN NOT NULL DEFAULT false;
