import type { Client, InValue, ResultSet } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { restoreDeferred, takeDeferred } from "./deferred-writes.ts";
import type { Db, Orm } from "./open-libsql.ts";
import * as schema from "./schema.ts";

/** What an effect gets inside a write transaction: raw statements and drizzle, both on it. */
export interface Tx {
  /** A raw statement in this transaction (hot-path multi-row INSERTs). */
  execute(sql: string, args?: InValue[]): Promise<ResultSet>;
  /** drizzle bound to this transaction. It cannot open a nested transaction. */
  readonly orm: Orm;
  /** The database the transaction writes to. */
  readonly db: Db;
  /** Runs `fn` once the transaction committed (not on a rollback): to act on what is now durable. */
  onCommit(fn: () => void): void;
}

/**
 * Runs `fn` in one write transaction (BEGIN IMMEDIATE: the write lock is taken up
 * front, so a conflict surfaces at BEGIN after the busy timeout rather than as an
 * unretryable lock upgrade halfway through). Commits when `fn` resolves; rolls back
 * when it throws. While it runs, `db` itself waits: use `tx` inside. Writes deferred on
 * `db` (deferred-writes.ts) run first, in the same transaction.
 */
export async function writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const ltx = await db.client.transaction("write");
  const deferred = takeDeferred(db);
  const committed: (() => void)[] = [];
  try {
    const tx: Tx = {
      db,
      onCommit: (fn) => void committed.push(fn),
      execute: (sql, args) => ltx.execute({ sql, args: args ?? [] }),
      // drizzle only calls execute/batch on its client, which a libSQL Transaction has; built on first use.
      get orm() {
        return (orm ??= drizzle({ client: ltx as unknown as Client, schema }));
      },
    };
    let orm: Orm | undefined;
    for (const { write } of deferred?.values() ?? []) await ltx.execute(write);
    const result = await fn(tx);
    await ltx.commit();
    for (const f of committed) f();
    return result;
  } catch (err) {
    if (deferred) restoreDeferred(db, deferred);
    throw err;
  } finally {
    ltx.close();
  }
}

/** Commits what is deferred on `db` in a transaction of its own: for when no other write came along. */
export async function flushDeferred(db: Db): Promise<void> {
  await writeTransaction(db, async () => {});
}
