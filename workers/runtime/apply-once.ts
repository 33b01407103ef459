import type { Db } from "../../shared/db/open-libsql.ts";
import { type Tx, writeTransaction } from "../../shared/db/write-transaction.ts";
import { markProcessed, type ProcessedRef, processedIds, unseen } from "./processed-events.ts";

export interface ApplyOnceResult {
  applied: number;
  skipped: number;
}

/**
 * Exactly-once effects on libSQL over an at-least-once log: in ONE write transaction,
 * find which events `group` has not applied yet, run `effect` with only those (first
 * occurrence of each id, in the given order), and record their ids. A crash before the
 * commit leaves neither effect nor ids; a redelivery after it finds the ids and skips.
 * The effect must write through `tx` (the db waits while the transaction is open) and
 * may throw to roll everything back.
 */
export async function applyOnce<E extends ProcessedRef>(
  db: Db,
  group: string,
  events: readonly E[],
  effect: (tx: Tx, fresh: E[]) => Promise<void>,
  now: () => number = Date.now,
): Promise<ApplyOnceResult> {
  if (events.length === 0) return { applied: 0, skipped: 0 };
  return writeTransaction(db, async (tx) => {
    const seen = await processedIds(tx, group, [...new Set(events.map((e) => e.id))]);
    const fresh = unseen(events, seen);
    if (fresh.length > 0) {
      await effect(tx, fresh);
      await markProcessed(tx, group, fresh, { at: now() });
    }
    return { applied: fresh.length, skipped: events.length - fresh.length };
  });
}
