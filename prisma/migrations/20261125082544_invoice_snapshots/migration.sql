-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "buyer" JSONB NOT NULL,
ADD COLUMN     "deal" JSONB NOT NULL,
ADD COLUMN     "seller" JSONB NOT NULL;

-- AlterTable
ALTER TABLE "invoice_line_items" ALTER COLUMN "category" DROP NOT NULL;

