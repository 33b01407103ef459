import { NonRetriableError, RetryableError } from "../../shared/errors/errors.ts";
import type { DeliveredRecord, Publisher, RecordBatch } from "../../shared/log/event-log.ts";
import { type BackoffPolicy, backoffDelay, sleepWhileActive } from "./backoff.ts";
import { deadLetterRecord } from "./dead-letter.ts";
import type { BatchMiddleware } from "./handler.ts";

/**
 * The retry and dead-letter policy (docs/architecture.md, delivery guarantees), around one partition's batch:
 *
 * - RetryableError (a dependency is down): wait with backoff (or the error's
 *   retryAfterMs) and run the same records again, for as long as it takes. Never
 *   dead-lettered, nothing skipped.
 * - Any other error: find the failing record(s) by bisecting — halves run in log
 *   order, so per-key order holds — and give each failing record up to `maxAttempts`
 *   runs on its own, with backoff between. NonRetriableError skips the remaining
 *   attempts. Then the record is published to `<topic>.dlq` (original key, value and
 *   headers plus dlq-* headers, see dead-letter.ts) and the partition moves on.
 *
 * How a wait happens. Sleeping inside the handler would hold back more than this
 * partition on Kafka: a kafkajs fetcher waits for every batch of a fetch before it
 * fetches again, so all partitions led by the same broker would stall. What the port
 * does promise is that a throwing handler gets the same records again after a backoff,
 * with only that partition paused. So a wait longer than `inlineWaitMs` parks the
 * partition: the policy remembers where it was (records settled so far, the failing
 * record's attempts, when to resume) and throws RetryDeferred carrying the wait, which
 * the log uses as its redelivery backoff; on redelivery it skips the settled records and
 * resumes, no earlier than the wait asked for. The memory lives in the handler returned
 * here, so build one per subscription; it is in-process: a restart starts afresh.
 * Shorter waits sleep inside the call, heartbeating; if the batch stops being active
 * meanwhile it throws BatchInactiveError so the adapter does not commit.
 *
 * Errors are classified through their `cause` chain (drizzle wraps driver errors).
 */

export interface RetryPolicy {
  /** Runs a failing record gets before it is dead-lettered. Default 5. */
  maxAttempts: number;
  /** Wait between a failing record's attempts. Default 100 ms doubling to 5 s. */
  backoff: BackoffPolicy;
  /**
   * Wait while a dependency is down (RetryableError without retryAfterMs). Default 250 ms
   * doubling to 1 s: a dependency that comes back is tried again within a second (new
   * fixes visible ≤ 2 s after a Redis restart, tests/faults/redis-outage.test.ts), and one
   * that stays down gets at most about one attempt a second per partition — a cheap
   * connect or command, never a storm.
   */
  outageBackoff: BackoffPolicy;
  /** Longest wait slept inside the handler call; longer ones park the partition. Default 0. */
  inlineWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  backoff: { baseMs: 100, capMs: 5_000 },
  outageBackoff: { baseMs: 250, capMs: 1_000 },
  inlineWaitMs: 0,
};

export type RetryKind = "outage" | "isolate" | "attempt" | "dead-letter-publish";

/** Told about every re-run and every dead letter (metrics and logs listen). */
export interface RetryObserver {
  retrying?(e: { batch: RecordBatch; records: DeliveredRecord[]; error: unknown; kind: RetryKind; attempt: number; delayMs: number }): void;
  deadLettered?(e: { batch: RecordBatch; record: DeliveredRecord; error: unknown; attempts: number }): void;
}

export interface RetryOptions {
  group: string;
  /** Where dead letters go. */
  publisher: Pick<Publisher, "publish">;
  policy?: Partial<RetryPolicy>;
  observers?: RetryObserver[];
  random?: () => number;
  now?: () => Date;
}

/**
 * Thrown to hand a wait to the log: the partition is redelivered after `retryAfterMs`
 * (the log adapters honour an error's retryAfterMs instead of their own growing backoff,
 * so the wait is this policy's alone).
 */
export class RetryDeferred extends Error {
  override readonly name = "RetryDeferred";
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Thrown when the batch stopped being active during an inline wait: the adapter must not commit. */
export class BatchInactiveError extends Error {
  override readonly name = "BatchInactiveError";
}

export type ErrorPolicy = { kind: "retryable"; retryAfterMs?: number } | { kind: "non-retriable" } | { kind: "failed" };

/** The policy an error carries: the first policy-bearing error along its cause chain. */
export function errorPolicy(err: unknown): ErrorPolicy {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof RetryableError || e.name === "RetryableError")
      return { kind: "retryable", retryAfterMs: (e as RetryableError).retryAfterMs };
    if (e instanceof NonRetriableError || e.name === "NonRetriableError") return { kind: "non-retriable" };
  }
  return { kind: "failed" };
}

/** Where a parked partition resumes. */
interface Parked {
  /** Every record below this offset was applied or dead-lettered by an earlier call. */
  settledBelow: number;
  /** Epoch ms before which the work must not run again. */
  resumeAt: number;
  /** Consecutive outage waits, so the outage backoff keeps growing across redeliveries. */
  outages: number;
  /** The record being settled: runs so far and its last error. */
  failing?: Failing;
}
interface Failing {
  offset: number;
  attempts: number;
  error: unknown;
}

export function withRetry(opts: RetryOptions): BatchMiddleware {
  const policy = { ...DEFAULT_RETRY_POLICY, ...opts.policy };
  const observers = opts.observers ?? [];
  const random = opts.random ?? Math.random;
  const now = opts.now ?? (() => new Date());

  return (next) => {
    const parked = new Map<string, Parked>();

    return async (batch) => {
      const slot = `${batch.topic}|${batch.partition}`;
      const where = `${batch.topic}/${batch.partition}`;
      let memo = parked.get(slot);
      parked.delete(slot);
      const [first] = batch.records;
      const last = batch.records.at(-1);
      // A memo whose resume point is not in this batch is stale: the group moved on (or back) without us.
      if (memo && !(first && last && first.offset <= memo.settledBelow && memo.settledBelow <= last.offset)) memo = undefined;
      let outages = memo?.outages ?? 0;

      const run = (records: DeliveredRecord[]) =>
        next({
          topic: batch.topic,
          partition: batch.partition,
          records,
          isActive: () => batch.isActive(),
          heartbeat: () => batch.heartbeat(),
        });
      const ensureActive = () => {
        if (!batch.isActive()) throw new BatchInactiveError(`${where}: no longer active; not committing`);
      };

      const pause = async (ms: number, state: Omit<Parked, "resumeAt">, cause: unknown) => {
        if (ms <= policy.inlineWaitMs) {
          if (!(await sleepWhileActive(ms, batch)))
            throw new BatchInactiveError(`${where}: stopped while retrying; not committing`, { cause });
          return;
        }
        parked.set(slot, { ...state, resumeAt: Date.now() + ms });
        throw new RetryDeferred(`${where}@${state.settledBelow}: retrying in ${Math.round(ms)} ms`, ms, { cause });
      };

      const wait = (ms: number, records: DeliveredRecord[], error: unknown, kind: RetryKind, attempt: number, failing?: Failing) => {
        for (const o of observers) o.retrying?.({ batch, records, error, kind, attempt, delayMs: ms });
        return pause(ms, { settledBelow: records[0]!.offset, outages, failing }, error);
      };

      const outageDelay = (p: ErrorPolicy) =>
        p.kind === "retryable" && p.retryAfterMs !== undefined ? p.retryAfterMs : backoffDelay(outages, policy.outageBackoff, random);

      /** Runs once to success, waiting out outages without limit; returns the first other error. */
      const runThroughOutages = async (records: DeliveredRecord[], failing?: Failing): Promise<{ error: unknown } | undefined> => {
        for (;;) {
          ensureActive();
          try {
            await run(records);
            outages = 0;
            return undefined;
          } catch (error) {
            const p = errorPolicy(error);
            if (p.kind !== "retryable") return { error };
            const ms = outageDelay(p);
            outages++;
            await wait(ms, records, error, "outage", outages, failing);
          }
        }
      };

      const deadLetter = async (record: DeliveredRecord, error: unknown, attempts: number) => {
        const letter = deadLetterRecord(record, { error, attempts, group: opts.group, failedAt: now() });
        for (let n = 1; ; n++) {
          ensureActive();
          try {
            await opts.publisher.publish([letter]);
            break;
          } catch (publishError) {
            const ms = outageDelay(errorPolicy(publishError));
            outages++;
            await wait(ms, [record], publishError, "dead-letter-publish", n, { offset: record.offset, attempts, error });
          }
        }
        for (const o of observers) o.deadLettered?.({ batch, record, error, attempts });
      };

      /** A record failed `attempts` runs on its own; `waited` when resuming after the wait for the next one. */
      const settle = async (record: DeliveredRecord, error: unknown, attempts: number, waited = false): Promise<void> => {
        for (; ; attempts++) {
          if (attempts >= policy.maxAttempts || errorPolicy(error).kind === "non-retriable") return deadLetter(record, error, attempts);
          const failing = { offset: record.offset, attempts, error };
          if (!waited) await wait(backoffDelay(attempts - 1, policy.backoff, random), [record], error, "attempt", attempts + 1, failing);
          waited = false;
          const failed = await runThroughOutages([record], failing);
          if (!failed) return;
          error = failed.error;
        }
      };

      const processRecords = async (records: DeliveredRecord[]): Promise<void> => {
        const failed = await runThroughOutages(records);
        if (!failed) return;
        const [only] = records;
        if (records.length === 1 && only) return settle(only, failed.error, 1);
        for (const o of observers) o.retrying?.({ batch, records, error: failed.error, kind: "isolate", attempt: 1, delayMs: 0 });
        const mid = Math.ceil(records.length / 2);
        await processRecords(records.slice(0, mid));
        await processRecords(records.slice(mid));
      };

      let records = batch.records;
      if (memo) {
        const { settledBelow, failing } = memo;
        records = records.filter((r) => r.offset >= settledBelow);
        const early = memo.resumeAt - Date.now();
        if (early > 0) await pause(early, memo, failing?.error);
        const [head] = records;
        if (failing && head?.offset === failing.offset) {
          await settle(head, failing.error, failing.attempts, true);
          records = records.slice(1);
        }
      }
      if (records.length > 0) await processRecords(records);
    };
  };
}
