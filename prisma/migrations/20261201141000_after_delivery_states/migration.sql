-- After delivery an invoice waits for its money (docs/workflow.md): the states it moves through,
-- and "finance" as who acts on an overdue one.
ALTER TABLE "invoices" DROP CONSTRAINT "invoices_state_known";
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_state_known" CHECK ("state" IN
  ('prefilling', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'awaiting_payment', 'partially_paid', 'overdue', 'paid', 'void', 'completed', 'cancelled', 'needs_attention'));
ALTER TABLE "invoice_runs" DROP CONSTRAINT "invoice_runs_state_check";
ALTER TABLE "invoice_runs" ADD CONSTRAINT "invoice_runs_state_check" CHECK ("state" IN
  ('prefilling', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'awaiting_payment', 'partially_paid', 'overdue', 'paid', 'void', 'completed', 'cancelled', 'needs_attention'));
ALTER TABLE "invoice_runs" DROP CONSTRAINT "invoice_runs_next_actor_check";
ALTER TABLE "invoice_runs" ADD CONSTRAINT "invoice_runs_next_actor_check" CHECK ("next_actor" IN ('accountant', 'approver', 'operator', 'finance'));
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_payment_status_known" CHECK ("payment_status" IN ('unpaid', 'partially_paid', 'overdue', 'paid', 'void'));

ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_state_known" CHECK ("state" IN
  ('drafting', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'completed', 'cancelled', 'needs_attention'));
