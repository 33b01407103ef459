import { asc, inArray, lte } from "drizzle-orm";
import { trailingRun } from "../../shared/async/trailing-run.ts";
import { insertRows } from "../../shared/db/insert-rows.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { bookingOutbox } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import type { OutgoingRecord, Publisher } from "../../shared/log/event-log.ts";

/**
 * The booking worker's transactional outbox. Why: the worker's follow-ups (its
 * decisions as events, notifications) must go out exactly when its state change
 * commits. Publishing inside the transaction could announce a change that then rolls
 * back; publishing after it could be lost to a crash, and the redelivered event would
 * not bring it back because applyOnce skips it. So the records are written in the
 * transaction and published after the commit, then deleted. A crash in between
 * publishes them again later: at-least-once, harmless because every record carries a
 * deterministic event id that consumers dedupe.
 */

export async function enqueueRecords(tx: Tx, records: readonly OutgoingRecord[], now: number): Promise<void> {
  await insertRows(tx, { table: "booking_outbox", columns: ["topic", "key", "value", "headers", "created_at"], rows: records.map((r) => [r.topic, r.key, r.value, JSON.stringify(r.headers ?? {}), now]) });
}

export interface DrainOptions {
  /** Only records written at or before this time (ms since epoch); default all. */
  writtenBy?: number;
  /** Records per publish call. */
  chunk?: number;
}

/**
 * Publishes pending records oldest first and deletes each chunk once the log acked it;
 * resolves with how many went out. Order within a key holds: a chunk is one publish
 * call, in outbox order. A publish failure is RetryableError (the state it announces
 * is already committed, so retrying can only help), cause kept.
 */
export async function drainOutbox(db: Db, publisher: Pick<Publisher, "publish">, opts: DrainOptions = {}): Promise<number> {
  const chunk = opts.chunk ?? 500;
  let published = 0;
  for (;;) {
    const rows = await db.orm
      .select()
      .from(bookingOutbox)
      .where(opts.writtenBy === undefined ? undefined : lte(bookingOutbox.createdAt, opts.writtenBy))
      .orderBy(asc(bookingOutbox.seq))
      .limit(chunk);
    if (rows.length === 0) return published;
    try {
      await publisher.publish(rows.map((r) => ({ topic: r.topic, key: r.key, value: r.value, headers: JSON.parse(r.headers) as Record<string, string> })));
    } catch (err) {
      // A full producer buffer says when to come back (BackpressureError.retryAfterMs).
      const retryAfterMs = (err as { retryAfterMs?: number } | null)?.retryAfterMs;
      throw new RetryableError(`booking outbox: publishing ${rows.length} records failed, retrying: ${(err as Error)?.message ?? String(err)}`, retryAfterMs, { cause: err });
    }
    await db.orm.delete(bookingOutbox).where(inArray(bookingOutbox.seq, rows.map((r) => r.seq)));
    published += rows.length;
    if (rows.length < chunk) return published;
  }
}

const drainers = new WeakMap<Db, WeakMap<object, () => Promise<number>>>();

/**
 * What a handler calls after its commit to publish what it wrote to the outbox. Batches
 * of different partitions, and the booking and order workers, share one outbox and run
 * side by side; each drain would publish the others' records too. So they share drains
 * instead: one at a time per database, each caller waiting for the first drain that
 * starts after its commit (trailingRun).
 */
export function drainAfterCommit(db: Db, publisher: Pick<Publisher, "publish">): Promise<number> {
  let byPublisher = drainers.get(db);
  if (!byPublisher) drainers.set(db, (byPublisher = new WeakMap()));
  let run = byPublisher.get(publisher);
  if (!run) byPublisher.set(publisher, (run = trailingRun(() => drainOutbox(db, publisher))));
  return run();
}
