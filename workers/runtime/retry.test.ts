import { describe, expect, test } from "bun:test";
import { NonRetriableError, RetryableError } from "../../shared/errors/errors.ts";
import type { DeliveredRecord } from "../../shared/log/event-log.ts";
import { backoffDelay } from "./backoff.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import { parseEvents } from "./parse.ts";
import {
  BatchInactiveError,
  DEFAULT_RETRY_POLICY,
  errorPolicy,
  RetryDeferred,
  type RetryKind,
  type RetryObserver,
  withRetry,
} from "./retry.ts";
import { collectingPublisher, deliverUntilDone, eventRecord, recordBatch } from "./testing.ts";

const fast = { maxAttempts: 3, backoff: { baseMs: 5, capMs: 20 }, outageBackoff: { baseMs: 5, capMs: 20 } };
const records = (n: number, poison: number[] = []) =>
  Array.from({ length: n }, (_, i) => eventRecord(100 + i, { i, poison: poison.includes(i) }, { key: `k-${i % 3}` }));
const dataOf = (r: DeliveredRecord) => (JSON.parse(r.value) as { data: { i: number; poison: boolean } }).data;

function observed() {
  const retries: { kind: RetryKind; n: number }[] = [];
  const dead: { offset: number; attempts: number }[] = [];
  const observer: RetryObserver = {
    retrying: (e) => retries.push({ kind: e.kind, n: e.records.length }),
    deadLettered: (e) => dead.push({ offset: e.record.offset, attempts: e.attempts }),
  };
  return { retries, dead, observer };
}

describe("withRetry", () => {
  test("a healthy batch runs once, whole", async () => {
    const calls: number[] = [];
    const pub = collectingPublisher();
    await withRetry({ group: "g", publisher: pub, policy: fast })(async (b) => void calls.push(b.records.length))(recordBatch(records(8)));
    expect(calls).toEqual([8]);
    expect(pub.published).toEqual([]);
  });

  test("a poison record is isolated, tried maxAttempts times, dead-lettered intact; the others are applied once each, in log order", async () => {
    const applied: number[] = [];
    let poisonRuns = 0;
    const pub = collectingPublisher();
    const { retries, dead, observer } = observed();
    const batch = recordBatch(records(10, [6]));
    const { deliveries } = await deliverUntilDone(
      withRetry({
        group: "rides-worker",
        publisher: pub,
        policy: fast,
        observers: [observer],
        now: () => new Date("2026-11-22T10:00:00Z"),
      })(async (b) => {
        if (b.records.some((r) => dataOf(r).poison)) {
          if (b.records.length === 1) poisonRuns++;
          throw new Error("cannot price ride");
        }
        for (const r of b.records) applied.push(dataOf(r).i);
      }),
      batch,
    );

    expect(applied).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9]);
    expect(poisonRuns).toBe(3);
    expect(deliveries).toBeGreaterThanOrEqual(3);
    expect(dead).toEqual([{ offset: 106, attempts: 3 }]);
    expect(retries.filter((r) => r.kind === "attempt").length).toBe(2);
    expect(pub.published.length).toBe(1);
    const letter = pub.published[0]!;
    const original = batch.records[6]!;
    expect(letter.topic).toBe("rides.dlq");
    expect(letter.key).toBe(original.key);
    expect(letter.value).toBe(original.value);
    expect(letter.headers).toEqual({
      ...original.headers,
      [DLQ_HEADERS.errorName]: "Error",
      [DLQ_HEADERS.errorMessage]: "cannot price ride",
      [DLQ_HEADERS.attempts]: "3",
      [DLQ_HEADERS.group]: "rides-worker",
      [DLQ_HEADERS.topic]: "rides",
      [DLQ_HEADERS.partition]: "0",
      [DLQ_HEADERS.offset]: "106",
      [DLQ_HEADERS.timestamp]: String(original.timestamp),
      [DLQ_HEADERS.failedAt]: "2026-11-22T10:00:00.000Z",
    });
  });

  test("a wait parks the partition: RetryDeferred, no run before the wait is over, then it resumes at the failing record", async () => {
    const runs: number[][] = [];
    const handler = withRetry({ group: "g", publisher: collectingPublisher(), policy: { ...fast, backoff: { baseMs: 200, capMs: 200 } } })(
      async (b) => {
        runs.push(b.records.map((r) => dataOf(r).i));
        if (b.records.some((r) => dataOf(r).poison)) throw new Error("bad");
      },
    );
    const batch = recordBatch(records(4, [2]));
    await expect(handler(batch)).rejects.toBeInstanceOf(RetryDeferred);
    expect(runs).toEqual([[0, 1, 2, 3], [0, 1], [2, 3], [2]]);
    await expect(handler(batch)).rejects.toBeInstanceOf(RetryDeferred); // redelivered too early: nothing runs
    expect(runs.length).toBe(4);
    await Bun.sleep(200);
    await expect(handler(batch)).rejects.toBeInstanceOf(RetryDeferred); // second attempt of 2, fails, parks again
    expect(runs.slice(4)).toEqual([[2]]);
    await Bun.sleep(200);
    await handler(batch); // third attempt: dead letter, then 3
    expect(runs.slice(5)).toEqual([[2], [3]]);
  });

  test("a redelivery that starts past the parked point (the group moved on) ignores the memory", async () => {
    const runs: number[][] = [];
    let fail = true;
    const handler = withRetry({
      group: "g",
      publisher: collectingPublisher(),
      policy: { ...fast, backoff: { baseMs: 10_000, capMs: 10_000 } },
    })(async (b) => {
      runs.push(b.records.map((r) => dataOf(r).i));
      if (fail && b.records.some((r) => dataOf(r).poison)) throw new Error("bad");
    });
    const all = records(6, [1]);
    await expect(handler(recordBatch(all))).rejects.toBeInstanceOf(RetryDeferred);
    fail = false;
    await handler(recordBatch(all.slice(3)));
    expect(runs.at(-1)).toEqual([3, 4, 5]);
  });

  test("a NonRetriableError is dead-lettered on its first isolated run", async () => {
    const pub = collectingPublisher();
    const { dead, retries, observer } = observed();
    let poisonRuns = 0;
    await deliverUntilDone(
      withRetry({ group: "g", publisher: pub, policy: fast, observers: [observer] })(async (b) => {
        if (b.records.some((r) => dataOf(r).poison)) {
          if (b.records.length === 1) poisonRuns++;
          throw new NonRetriableError("impossible state");
        }
      }),
      recordBatch(records(4, [0, 3])),
    );
    expect(poisonRuns).toBe(2);
    expect(dead).toEqual([
      { offset: 100, attempts: 1 },
      { offset: 103, attempts: 1 },
    ]);
    expect(retries.filter((r) => r.kind === "attempt")).toEqual([]);
    expect(pub.published.map((r) => r.headers?.[DLQ_HEADERS.errorName])).toEqual(["NonRetriableError", "NonRetriableError"]);
  });

  test("a malformed record (parse step) goes to the DLQ alone; the rest reach the handler", async () => {
    const pub = collectingPublisher();
    const rs = records(5);
    rs[2] = { ...rs[2]!, value: '{"not":"an envelope"}' };
    const seen: number[] = [];
    await withRetry({ group: "g", publisher: pub, policy: fast })(
      parseEvents(async (events) => void seen.push(...events.map((e) => (e.data as { i: number }).i)), {}),
    )(recordBatch(rs));
    expect([...new Set(seen)]).toEqual([0, 1, 3, 4]);
    expect(pub.published.map((r) => [r.headers?.[DLQ_HEADERS.offset], r.headers?.[DLQ_HEADERS.attempts], r.value])).toEqual([
      ["102", "1", '{"not":"an envelope"}'],
    ]);
  });

  test("a dependency outage (RetryableError) is retried until it is back, honouring retryAfterMs, never dead-lettered", async () => {
    const pub = collectingPublisher();
    const { retries, observer } = observed();
    const downUntil = performance.now() + 300;
    const calls: number[] = [];
    const applied = new Set<number>();
    await deliverUntilDone(
      withRetry({ group: "g", publisher: pub, policy: { ...fast, maxAttempts: 1 }, observers: [observer] })(async (b) => {
        calls.push(performance.now());
        if (performance.now() < downUntil) throw new Error("query failed", { cause: new RetryableError("redis down", 40) });
        for (const r of b.records) applied.add(dataOf(r).i);
      }),
      recordBatch(records(6)),
    );
    expect(applied.size).toBe(6);
    expect(pub.published).toEqual([]);
    expect(retries.every((r) => r.kind === "outage" && r.n === 6)).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!).toBeGreaterThanOrEqual(39);
  });

  test("the default outage backoff stops at 1 s: a dependency that returns is tried again within a second, one that stays down at most about once a second", () => {
    // Issue 10, item 5: capped at 30 s, a 12 s Redis outage left partitions waiting up to 16 s after Redis was back.
    for (const random of [() => 0, () => 0.5, () => 1]) {
      const waits = Array.from({ length: 30 }, (_, attempt) => backoffDelay(attempt, DEFAULT_RETRY_POLICY.outageBackoff, random));
      expect(Math.max(...waits)).toBeLessThanOrEqual(1_000);
      expect(Math.min(...waits.slice(2))).toBeGreaterThanOrEqual(500);
    }
  });

  test("a parked wait tells the log how long: RetryDeferred carries retryAfterMs", async () => {
    const handler = withRetry({ group: "g", publisher: collectingPublisher(), policy: fast })(async () => {
      throw new RetryableError("redis down", 123);
    });
    const err = await handler(recordBatch(records(1))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryDeferred);
    expect((err as RetryDeferred).retryAfterMs).toBe(123);
  });

  test("inline waits (inlineWaitMs) retry inside one call; a batch that stops being active meanwhile throws BatchInactiveError", async () => {
    let calls = 0;
    const inline = withRetry({ group: "g", publisher: collectingPublisher(), policy: { ...fast, inlineWaitMs: 1_000 } })(async () => {
      if (++calls < 3) throw new RetryableError("db down", 20);
    });
    await inline(recordBatch(records(2)));
    expect(calls).toBe(3);

    const pub = collectingPublisher();
    let active = true;
    const stuck = withRetry({
      group: "g",
      publisher: pub,
      policy: { ...fast, inlineWaitMs: 60_000, outageBackoff: { baseMs: 10_000, capMs: 10_000 } },
    })(async () => {
      throw new RetryableError("libsql down");
    });
    setTimeout(() => (active = false), 100);
    const started = performance.now();
    await expect(stuck(recordBatch(records(3), () => active))).rejects.toBeInstanceOf(BatchInactiveError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(pub.published).toEqual([]);
  });

  test("a record that fails twice then succeeds is not dead-lettered", async () => {
    const pub = collectingPublisher();
    let failures = 0;
    const applied: number[] = [];
    await deliverUntilDone(
      withRetry({ group: "g", publisher: pub, policy: { ...fast, maxAttempts: 5 } })(async (b) => {
        if (b.records.some((r) => dataOf(r).poison) && failures < 2) {
          failures++;
          throw new Error("flaky");
        }
        applied.push(...b.records.map((r) => dataOf(r).i));
      }),
      recordBatch(records(1, [0])),
    );
    expect(applied).toEqual([0]);
    expect(pub.published).toEqual([]);
  });

  test("a dead letter whose publish fails is published again until the broker takes it", async () => {
    const pub = collectingPublisher(2);
    const { retries, dead, observer } = observed();
    await deliverUntilDone(
      withRetry({ group: "g", publisher: pub, policy: { ...fast, maxAttempts: 1 }, observers: [observer] })(async () => {
        throw new Error("bad");
      }),
      recordBatch(records(1)),
    );
    expect(pub.failures).toBe(2);
    expect(pub.published.length).toBe(1);
    expect(dead).toEqual([{ offset: 100, attempts: 1 }]);
    expect(retries.filter((r) => r.kind === "dead-letter-publish").length).toBe(2);
  });
});

describe("errorPolicy", () => {
  test("reads the policy through the cause chain; unknown errors are plain failures", () => {
    expect(errorPolicy(new RetryableError("x", 250))).toEqual({ kind: "retryable", retryAfterMs: 250 });
    expect(errorPolicy(new Error("Failed query", { cause: new RetryableError("busy") }))).toEqual({
      kind: "retryable",
      retryAfterMs: undefined,
    });
    expect(errorPolicy(new Error("wrap", { cause: new NonRetriableError("bad") }))).toEqual({ kind: "non-retriable" });
    expect(errorPolicy(new TypeError("x"))).toEqual({ kind: "failed" });
    expect(errorPolicy("a string")).toEqual({ kind: "failed" });
  });
});
