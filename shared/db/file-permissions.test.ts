import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openIdempotencyStore } from "../../gateway/idempotency/libsql-idempotency-store.ts";
import { createEmbeddedLog } from "../log/embedded/embedded-log.ts";
import { migrateDb } from "./migrate.ts";
import { openLibsql } from "./open-libsql.ts";

/*
 * Issue 10, item 2: every database file is readable by its owner only, like the dev
 * secret beside it — bookings, addresses, trails and the outbox are personal data.
 * Checked under a permissive umask, with the WAL and shared-memory files too.
 */

const dir = mkdtempSync(join(tmpdir(), "fleet-perms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

function expectPrivate(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`].filter(existsSync)) expect(`${f} ${modeOf(f).toString(8)}`).toBe(`${f} 600`);
}

async function underUmask<T>(mask: number, run: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await run();
  } finally {
    process.umask(old);
  }
}

test("the history database (and its WAL) is created 0600", async () => {
  const path = join(dir, "history.db");
  const db = await underUmask(0o022, () => openLibsql({ url: `file:${path}` }));
  await migrateDb(db);
  expectPrivate(path);
  db.close();
});

test("the gateway's database is created 0600", async () => {
  const path = join(dir, "gateway.db");
  const store = await underUmask(0o022, () => openIdempotencyStore({ url: `file:${path}` }));
  expectPrivate(path);
  store.close();
});

test("the embedded log is created 0600", async () => {
  const path = join(dir, "log.db");
  const log = await underUmask(0o022, () => createEmbeddedLog({ url: `file:${path}` }));
  expectPrivate(path);
  await log.close();
});

test("an existing world-readable database is tightened to 0600 when opened", async () => {
  const path = join(dir, "old.db");
  writeFileSync(path, "");
  chmodSync(path, 0o644);
  const db = await openLibsql({ url: `file:${path}` });
  expectPrivate(path);
  db.close();
});
