import { openHistory } from "../../shared/infra/open-history.ts";

/*
 * One worker process's start-up on the history database, as workers/main.ts does it
 * (open, then migrate): used by tests/db/migrate-concurrently.test.ts, which starts
 * several at once. Exits 0 once migrated, 1 with the error on stderr.
 */
const dir = process.env.DATA_DIR;
if (!dir) throw new Error("DATA_DIR must be set");
try {
  const db = await openHistory({ DATA_DIR: dir });
  db.close();
  process.exit(0);
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
