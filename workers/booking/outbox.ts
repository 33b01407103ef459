import { trailingRun } from "../../shared/async/trailing-run.ts";
import { deferWrite } from "../../shared/db/deferred-writes.ts";
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

/** Records this process committed to a database's outbox and has not published yet, in seq order. */
const committedRecords = new WeakMap<Db, Committed[]>();

const OUTBOX_CHUNK = 500;

/**
 * Writes the records to the outbox in `tx`. Once it commits, this process also keeps them in
 * memory, so the drain publishes them without reading back what it just wrote.
 */
export async function enqueueRecords(tx: Tx, records: readonly OutgoingRecord[], now: number): Promise<void> {
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
  if (written.length === 0) return;
  tx.onCommit(() => {
    const queue = committedRecords.get(tx.db);
    if (queue) queue.push(...written);
    else committedRecords.set(tx.db, written);
  });
}

export interface DrainOptions {
  /** Only records written at or before this time (ms since epoch); default all. */
  writtenBy?: number;
  /** Records per publish call. */
  chunk?: number;
}

/** What this process published from a database's outbox: everything up to `publishedThrough` was acked. */
interface DrainState {
  publishedThrough: number;
  /** Drains run one at a time, so two never publish the same records. */
  tail: Promise<unknown>;
}

const drainStates = new WeakMap<Db, DrainState>();

function drainStateOf(db: Db): DrainState {
  let state = drainStates.get(db);
  if (!state) drainStates.set(db, (state = { publishedThrough: 0, tail: Promise.resolve() }));
  return state;
}

/**
 * Publishes pending records oldest first and marks each chunk acked, deferring its
 * delete; resolves with how many went out. Order within a key holds: a chunk is one
 * publish call, in outbox order. A publish failure is RetryableError (the state it
 * announces is already committed, so retrying can only help), cause kept.
 */
export function drainOutbox(db: Db, publisher: Pick<Publisher, "publish">, opts: DrainOptions = {}): Promise<number> {
  const state = drainStateOf(db);
  const run = state.tail.then(
    () => drainChunks(db, publisher, state, opts),
    () => drainChunks(db, publisher, state, opts),
  );
  state.tail = run.catch(() => {});
  return run;
}

async function drainChunks(db: Db, publisher: Pick<Publisher, "publish">, state: DrainState, opts: DrainOptions): Promise<number> {
  const chunk = opts.chunk ?? 500;
  let published = 0;
  for (;;) {
    // A drain limited by age (the booking loop's, for what a crash left behind) reads the table.
    const fromMemory = opts.writtenBy === undefined ? nextFromMemory(db, state.publishedThrough, chunk) : undefined;
    const rows = fromMemory ?? (await nextFromTable(db, state.publishedThrough, chunk, opts));
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
    state.publishedThrough = rows.at(-1)!.seq;
    deferWrite(db, "booking_outbox", { sql: "DELETE FROM booking_outbox WHERE seq <= ?", args: [state.publishedThrough] });
    published += rows.length;
    if (rows.length < chunk) return published;
  }
}

/**
 * The next records after `publishedThrough` as this process committed them, when they
 * follow on without a gap; undefined when the table must be read instead (records left by
 * an earlier process, or by another writer of the same database).
 */
function nextFromMemory(db: Db, publishedThrough: number, chunk: number): Committed[] | undefined {
  const queue = committedRecords.get(db);
  if (!queue) return undefined;
  let from = 0;
  while (from < queue.length && queue[from]!.seq <= publishedThrough) from++;
  if (from > 0) queue.splice(0, from);
  if (queue.length === 0 || queue[0]!.seq !== publishedThrough + 1) return undefined;
  let n = 1;
  while (n < queue.length && n < chunk && queue[n]!.seq === queue[n - 1]!.seq + 1) n++;
  return queue.slice(0, n);
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

interface Drainer {
  run: () => Promise<number>;
  /** The last drain failed: follow-ups are piling up unpublished. */
  failing: boolean;
}

const drainers = new WeakMap<Db, WeakMap<object, Drainer>>();

/**
 * One drainer per database and publisher. Batches of different partitions, and the
 * booking and order workers, share one outbox and run side by side; each drain would
 * publish the others' records too. So they share drains: one at a time, each caller
 * waiting for the first drain that starts after its commit (trailingRun).
 */
function drainerOf(db: Db, publisher: Pick<Publisher, "publish">): Drainer {
  let byPublisher = drainers.get(db);
  if (!byPublisher) drainers.set(db, (byPublisher = new WeakMap()));
  let d = byPublisher.get(publisher);
  if (!d) {
    const drainer: Drainer = {
      failing: false,
      run: trailingRun(async () => {
        try {
          const n = await drainOutbox(db, publisher);
          drainer.failing = false;
          return n;
        } catch (err) {
          drainer.failing = true;
          throw err;
        }
      }),
    };
    byPublisher.set(publisher, (d = drainer));
  }
  return d;
}

/**
 * What a handler calls after its commit: publishes what it wrote to the outbox WITHOUT
 * waiting for the log's acks, so the partition's next batch is not held up by them (the
 * wait was half of a booking batch's time). The records are durable in the outbox
 * already; a drain that fails leaves them there for the next drain or the booking loop
 * (booking-loop.ts). While drains fail, callers do wait, and fail with the drain's
 * RetryableError: the runtime then retries them with backoff instead of piling more
 * follow-ups into the outbox.
 */
export async function drainAfterCommit(db: Db, publisher: Pick<Publisher, "publish">): Promise<void> {
  const d = drainerOf(db, publisher);
  const failing = d.failing;
  const run = d.run();
  if (failing) {
    await run;
    return;
  }
  // Failures are the next caller's to wait for (above) and the booking loop's to retry.
  run.catch(() => {});
}

/** Resolves once every outbox record committed before the call is published; rejects if publishing fails. */
export function outboxPublished(db: Db, publisher: Pick<Publisher, "publish">): Promise<number> {
  return drainerOf(db, publisher).run();
}
