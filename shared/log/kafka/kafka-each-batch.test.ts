import { describe, expect, test } from "bun:test";
import type { EachBatchPayload } from "kafkajs";
import type { BatchHandler, RecordBatch } from "../event-log.ts";
import { createEachBatch, retryDelayMs } from "./kafka-each-batch.ts";

/** Just enough of a kafkajs eachBatch payload, recording what the runner did with it. */
function fakePayload(count: number, opts: { heartbeatFails?: boolean } = {}) {
  const seen = { resolved: [] as string[], commits: 0, paused: 0, resumed: 0, running: true };
  const messages = Array.from({ length: count }, (_, i) => ({
    offset: String(100 + i),
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`value-${i}`),
    headers: { type: Buffer.from("t.v1"), seq: [Buffer.from("first"), "last"] },
    timestamp: "1700000000000",
    attributes: 0,
  }));
  const payload = {
    batch: { topic: "orders", partition: 3, messages },
    resolveOffset: (offset: string) => void seen.resolved.push(offset),
    heartbeat: async () => {
      if (opts.heartbeatFails) throw new Error("The group is rebalancing");
    },
    pause: () => {
      seen.paused++;
      return () => void seen.resumed++;
    },
    commitOffsetsIfNecessary: async () => void seen.commits++,
    isRunning: () => seen.running,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, seen };
}

const quiet = () => {};

function runner(handler: BatchHandler, maxBatchSize = 500) {
  return createEachBatch({ group: "g", handler, maxBatchSize, logger: quiet });
}

describe("kafka eachBatch", () => {
  test("hands records over as port records, in chunks, resolving and committing after each chunk", async () => {
    const batches: RecordBatch[] = [];
    const { payload, seen } = fakePayload(5);
    await runner(async (b) => void batches.push(b), 2).eachBatch(payload);
    expect(batches.map((b) => b.records.map((r) => r.offset))).toEqual([[100, 101], [102, 103], [104]]);
    expect(batches[0]!.records[0]).toEqual({
      topic: "orders",
      partition: 3,
      offset: 100,
      key: "key-0",
      value: "value-0",
      headers: { type: "t.v1", seq: "last" },
      timestamp: 1700000000000,
    });
    expect(seen.resolved).toEqual(["101", "103", "104"]);
    expect(seen.commits).toBe(3);
  });

  test("a failing chunk is left unresolved and its partition paused, then resumed after the backoff; nothing is thrown", async () => {
    const { payload, seen } = fakePayload(4);
    let calls = 0;
    await runner(async () => {
      if (++calls === 2) throw new Error("boom");
    }, 2).eachBatch(payload);
    expect(seen.resolved).toEqual(["101"]);
    expect(seen.paused).toBe(1);
    expect(seen.resumed).toBe(0);
    await Bun.sleep(60);
    expect(seen.resumed).toBe(1);
  });

  test("a failure that says when to retry (retryAfterMs, as the retry policy's RetryDeferred does) is resumed after that wait, not the adapter's growing backoff", async () => {
    // Issue 10, item 5: the adapter's own backoff reaches 2.5-5 s after a few failures, on top of the policy's wait.
    const { payload, seen } = fakePayload(1);
    const r = runner(async () => {
      throw Object.assign(new Error("retrying in 30 ms"), { retryAfterMs: 30 });
    });
    for (let attempt = 1; attempt <= 10; attempt++) {
      await r.eachBatch(payload);
      await Bun.sleep(150);
      expect({ attempt, resumed: seen.resumed }).toEqual({ attempt, resumed: attempt });
    }
    r.cancelRetries();
  });

  test("a failure while stopping neither pauses nor resolves: the next owner gets the records", async () => {
    const { payload, seen } = fakePayload(2);
    await runner(async () => {
      seen.running = false;
      throw new Error("interrupted");
    }).eachBatch(payload);
    expect(seen.paused).toBe(0);
    expect(seen.resolved).toEqual([]);
  });

  test("cancelRetries drops pending resumes", async () => {
    const { payload, seen } = fakePayload(1);
    const r = runner(async () => {
      throw new Error("boom");
    });
    await r.eachBatch(payload);
    r.cancelRetries();
    await Bun.sleep(60);
    expect(seen.resumed).toBe(0);
  });

  test("a failed heartbeat turns isActive() false and no further chunk starts", async () => {
    const { payload, seen } = fakePayload(4, { heartbeatFails: true });
    const active: boolean[] = [];
    await runner(async (b) => {
      await b.heartbeat();
      active.push(b.isActive());
    }, 2).eachBatch(payload);
    expect(active).toEqual([false]);
    expect(seen.resolved).toEqual(["101"]);
  });

  test("retry delays grow exponentially with jitter from 25-50 ms to a 5 s cap", () => {
    expect(retryDelayMs(1, () => 0)).toBe(25);
    expect(retryDelayMs(1, () => 1)).toBe(50);
    expect(retryDelayMs(4, () => 1)).toBe(400);
    expect(retryDelayMs(30, () => 0)).toBe(2500);
    expect(retryDelayMs(30, () => 1)).toBe(5000);
  });
});
