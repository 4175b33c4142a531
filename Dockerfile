# The project's own image: workers, API, the PlanFact/Didox fakes and one-shot tools (migrate,
# generate data).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The embedded ClickHouse engine is not needed in containers (they use CLICKHOUSE_URL).
# --include=dev: NODE_ENV=production would leave out tsx, which runs the TypeScript, and prisma.
RUN npm ci --omit=optional --include=dev --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate
CMD ["node", "--import", "tsx", "worker.ts"]
