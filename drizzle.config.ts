import { defineConfig } from "drizzle-kit";

/** drizzle-kit owns the libSQL schema's migrations: `bunx drizzle-kit generate` after editing shared/db/schema.ts. */
export default defineConfig({
  dialect: "turso",
  schema: "./shared/db/schema.ts",
  out: "./shared/db/migrations",
});
