import { trailingRun } from "../../shared/async/trailing-run.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
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
 *
 * The delete does not cost a commit of its own: this process remembers how far the log
 * acked (`publishedThrough`) and defers "delete up to there" to the next write
 * transaction on the database (shared/db/deferred-writes.ts; the booking loop commits it
 * when no transaction comes along). A restart forgets the mark and publishes the acked
 * but undeleted records once more.
 */

/** An outbox record as committed: its seq is its place in publish order. */
interface Committed {
  seq: number;
  record: OutgoingRecord;
}

const OUTBOX_CHUNK = 500;

export interface DrainOptions {
  /** Only records written at or before this time (ms since epoch); default all. */
  writtenBy?: number;
  /** Records per publish call. */
  chunk?: number;
}

/** The booking worker's outbox on one database, as one process writes and drains it. */
export interface BookingOutbox {
  /**
   * Writes the records to the outbox in `tx`. Once it commits, this process also keeps them in
   * memory, so the drain publishes them without reading back what it just wrote.
   */
  enqueue(tx: Tx, records: readonly OutgoingRecord[], now: number): Promise<void>;
  /**
   * Publishes pending records oldest first and marks each chunk acked, deferring its
   * delete; resolves with how many went out. Order within a key holds: a chunk is one
   * publish call, in outbox order. A publish failure is RetryableError (the state it
   * announces is already committed, so retrying can only help), cause kept.
   */
  drain(opts?: DrainOptions): Promise<number>;
  /**
   * What a handler calls after its commit: publishes what it wrote to the outbox WITHOUT
   * waiting for the log's acks, so the partition's next batch is not held up by them (the
   * wait was half of a booking batch's time). The records are durable in the outbox
   * already; a drain that fails leaves them there for the next drain or the booking loop
   * (booking-loop.ts). While drains fail, callers do wait, and fail with the drain's
   * RetryableError: the runtime then retries them with backoff instead of piling more
   * follow-ups into the outbox.
   */
  drainAfterCommit(): Promise<void>;
  /** Resolves once every outbox record committed before the call is published; rejects if publishing fails. */
  published(): Promise<number>;
}

/**
 * The outbox of `db`, published through `publisher`: one per process, built where the
 * process is wired and shared by the booking and order handlers and the booking loop, as
 * its memory (what this process committed, how far the log acked) is of that database.
 */
export function createBookingOutbox(db: Db, publisher: Pick<Publisher, "publish">): BookingOutbox {
  /** Records this process committed and has not published yet, in seq order. */
  const committed: Committed[] = [];
  /** Everything up to here was acked. */
  let publishedThrough = 0;
  /** Drains run one at a time, so two never publish the same records. */
  let tail: Promise<unknown> = Promise.resolve();
  /** The last drain after a commit failed: follow-ups are piling up unpublished. */
  let failing = false;

  /**
   * The next records after `publishedThrough` as this process committed them, when they
   * follow on without a gap; undefined when the table must be read instead (records left by
   * an earlier process, or by another writer of the same database).
   */
  const nextFromMemory = (chunk: number): Committed[] | undefined => {
    let from = 0;
    while (from < committed.length && committed[from]!.seq <= publishedThrough) from++;
    if (from > 0) committed.splice(0, from);
    if (committed.length === 0 || committed[0]!.seq !== publishedThrough + 1) return undefined;
    let n = 1;
    while (n < committed.length && n < chunk && committed[n]!.seq === committed[n - 1]!.seq + 1) n++;
    return committed.slice(0, n);
  };

  const drainChunks = async (opts: DrainOptions): Promise<number> => {
    const chunk = opts.chunk ?? 500;
    let published = 0;
    for (;;) {
      // A drain limited by age (the booking loop's, for what a crash left behind) reads the table.
      const fromMemory = opts.writtenBy === undefined ? nextFromMemory(chunk) : undefined;
      const rows = fromMemory ?? (await nextFromTable(db, publishedThrough, chunk, opts));
      if (rows.length === 0) return published;
      try {
        await publisher.publish(rows.map((r) => r.record));
      } catch (err) {
        // A full producer buffer says when to come back (BackpressureError.retryAfterMs).
        const retryAfterMs = (err as { retryAfterMs?: number } | null)?.retryAfterMs;
        throw new RetryableError(
          `booking outbox: publishing ${rows.length} records failed, retrying: ${(err as Error)?.message ?? String(err)}`,
          retryAfterMs,
          { cause: err },
        );
      }
      publishedThrough = rows.at(-1)!.seq;
      db.deferred.defer("booking_outbox", { sql: "DELETE FROM booking_outbox WHERE seq <= ?", args: [publishedThrough] });
      published += rows.length;
      if (rows.length < chunk) return published;
    }
  };

  const drain = (opts: DrainOptions = {}): Promise<number> => {
    const run = tail.then(
      () => drainChunks(opts),
      () => drainChunks(opts),
    );
    tail = run.catch(() => {});
    return run;
  };

  /*
   * Batches of different partitions, and the booking and order workers, share one outbox
   * and run side by side; each drain would publish the others' records too. So they share
   * drains: one at a time, each caller waiting for the first drain that starts after its
   * commit (trailingRun).
   */
  const afterCommit = trailingRun(async () => {
    try {
      const n = await drain();
      failing = false;
      return n;
    } catch (err) {
      failing = true;
      throw err;
    }
  });

  return {
    async enqueue(tx, records, now) {
      const written: Committed[] = [];
      for (let i = 0; i < records.length; i += OUTBOX_CHUNK) {
        const part = records.slice(i, i + OUTBOX_CHUNK);
        const rs = await tx.execute(
          `INSERT INTO booking_outbox (topic, key, value, headers, created_at) VALUES ${part.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
          part.flatMap((r) => [r.topic, r.key, r.value, JSON.stringify(r.headers ?? {}), now]),
        );
        // One multi-row INSERT under the write lock: its rows take consecutive seqs, the last one reported.
        const last = Number(rs.lastInsertRowid);
        for (const [k, record] of part.entries()) written.push({ seq: last - part.length + 1 + k, record });
      }
      if (written.length > 0) tx.onCommit(() => void committed.push(...written));
    },
    drain,
    async drainAfterCommit() {
      const wasFailing = failing;
      const run = afterCommit();
      if (wasFailing) {
        await run;
        return;
      }
      // Failures are the next caller's to wait for (above) and the booking loop's to retry.
      run.catch(() => {});
    },
    published: () => afterCommit(),
  };
}

async function nextFromTable(db: Db, publishedThrough: number, chunk: number, opts: DrainOptions): Promise<Committed[]> {
  const rs = await db.client.execute({
    sql: `SELECT seq, topic, key, value, headers FROM booking_outbox WHERE seq > ?${opts.writtenBy === undefined ? "" : " AND created_at <= ?"} ORDER BY seq LIMIT ?`,
    args: opts.writtenBy === undefined ? [publishedThrough, chunk] : [publishedThrough, opts.writtenBy, chunk],
  });
  return rs.rows.map((r) => ({
    seq: Number(r.seq),
    record: {
      topic: String(r.topic),
      key: String(r.key),
      value: String(r.value),
      headers: JSON.parse(String(r.headers)) as Record<string, string>,
    },
  }));
}
