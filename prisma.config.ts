// Prisma CLI configuration, for machines with network access where the stock CLI can run
// (`npx prisma migrate status`, `migrate diff`). The application never needs it: it applies
// prisma/migrations with its own migrator (docs/decisions/0003-raw-sql-migrations.md).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? `file:${process.env.TESTIO_DB_PATH ?? './testio-mcp.db'}` },
});
