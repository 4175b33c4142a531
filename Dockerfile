# The project's own image: worker, API and one-shot tools (migrate, generate data).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The embedded ClickHouse engine is not needed in containers (they use CLICKHOUSE_URL).
RUN npm ci --omit=optional --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate
CMD ["npx", "tsx", "worker.ts"]
