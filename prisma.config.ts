import { defineConfig } from "prisma/config";

// DATABASE_URL is only needed by commands that talk to the database (migrate, db);
// `prisma generate` runs at install time without it.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
