-- The console's invoice list (docs/console.md, "Speed"): the newest page of all runs and the
-- "waiting for me" views read an index instead of sorting the table.
CREATE INDEX "invoice_runs_started_at_workflow_run_id_idx" ON "invoice_runs"("started_at", "workflow_run_id");
CREATE INDEX "invoice_runs_next_actor_started_at_idx" ON "invoice_runs"("next_actor", "started_at");

-- The counts of open runs per state and per next actor read only the open runs (not expressible
-- in schema.prisma: a partial index).
CREATE INDEX "invoice_runs_open_idx" ON "invoice_runs"("state", "next_actor") WHERE "closed_at" IS NULL;
