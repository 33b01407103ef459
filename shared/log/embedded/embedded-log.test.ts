import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TopicSpec } from "../../events/topics.ts";
import type { DeliveredRecord, EventLog, OutgoingRecord } from "../event-log.ts";
import { runEventLogContract } from "../log.contract.ts";
import { createEmbeddedLog, type EmbeddedEventLog } from "./embedded-log.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetstream-embedded-log-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

runEventLogContract({
  name: "embedded",
  create: () => createEmbeddedLog({ url: `file:${dir}/log.db` }),
  features: { groupMembership: false },
});

const quiet = { warn: () => {}, error: () => {} };
let topicSeq = 0;
function spec(partitions: number, retentionMs = 3_600_000): TopicSpec {
  return {
    name: `embedded-${topicSeq++}`,
    partitions,
    retentionMs,
    cleanupPolicy: "delete",
    keyField: "k",
    description: "embedded adapter test",
  };
}
function recordsFor(topic: string, n: number, from = 0): OutgoingRecord[] {
  return Array.from({ length: n }, (_, i) => ({ topic, key: `key-${(from + i) % 13}`, value: String(from + i) }));
}
async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
async function drain(log: EventLog, group: string, topic: string, expected: number): Promise<DeliveredRecord[]> {
  const got: DeliveredRecord[] = [];
  const sub = await log.subscriber().subscribe({ group, topics: [topic], handler: async (b) => void got.push(...b.records) });
  await until(() => got.length >= expected, 10_000, `${expected} records`);
  await sub.stop();
  return got;
}

describe("embedded log", () => {
  const open: EventLog[] = [];
  afterAll(() => Promise.allSettled(open.map((l) => l.close())));
  async function openLog(file: string, pollIntervalMs?: number): Promise<EmbeddedEventLog> {
    const log = await createEmbeddedLog({ url: `file:${dir}/${file}`, pollIntervalMs, logger: quiet });
    open.push(log);
    return log;
  }

  test("retention deletes the expired prefix of a partition; offsets continue after it", async () => {
    const log = await openLog("retention.db");
    const t = spec(1, 60_000);
    await log.admin().ensureTopics([t]);
    await log.publisher().publish(recordsFor(t.name, 30));
    await Bun.sleep(20);
    const mark = Date.now();
    await log.publisher().publish(recordsFor(t.name, 5, 30));

    expect(await log.prune(mark - 1 + 60_000)).toBe(30);
    const [after] = await log.admin().lag("never-committed", [t.name]);
    expect(after).toEqual({ topic: t.name, partition: 0, committed: -1, end: 35, lag: 5 });

    expect(await log.prune(Date.now() + 60_001)).toBe(5);
    await log.publisher().publish(recordsFor(t.name, 3, 35));
    const got = await drain(log, "reader", t.name, 3);
    expect(got.map((r) => r.offset)).toEqual([35, 36, 37]);
    expect(got.map((r) => r.value)).toEqual(["35", "36", "37"]);
  });

  test("every acknowledged record survives close and reopen, offsets contiguous per partition", async () => {
    const first = await openLog("durable.db");
    const t = spec(4);
    await first.admin().ensureTopics([t]);
    await Promise.all(Array.from({ length: 40 }, (_, call) => first.publisher().publish(recordsFor(t.name, 25, call * 25))));
    await first.close();

    const again = await openLog("durable.db");
    const got = await drain(again, "reader", t.name, 1000);
    expect(new Set(got.map((r) => r.value)).size).toBe(1000);
    for (let p = 0; p < 4; p++) {
      const offsets = got.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    const lag = await again.admin().lag("reader", [t.name]);
    expect(lag.reduce((s, p) => s + p.end, 0)).toBe(1000);
    expect(lag.every((p) => p.lag === 0)).toBe(true);
  });

  test("a publish by the same instance wakes an idle consumer without waiting for the poll", async () => {
    const log = await openLog("latency.db", 5_000);
    const t = spec(2);
    await log.admin().ensureTopics([t]);
    let deliveredAt = 0;
    const sub = await log.subscriber().subscribe({ group: "g", topics: [t.name], handler: async () => void (deliveredAt = Date.now()) });
    await Bun.sleep(50);
    const sentAt = Date.now();
    await log.publisher().publish(recordsFor(t.name, 1));
    await until(() => deliveredAt > 0, 2_000, "delivery");
    await sub.stop();
    expect(deliveredAt - sentAt).toBeLessThan(200);
  });

  test("fromBeginning false starts a new group at the end, and a restart does not skip what came meanwhile", async () => {
    const log = await openLog("latest.db");
    const t = spec(1);
    await log.admin().ensureTopics([t]);
    await log.publisher().publish(recordsFor(t.name, 10));
    const sub = await log.subscriber().subscribe({ group: "late", topics: [t.name], fromBeginning: false, handler: async () => {} });
    await sub.stop();
    await log.publisher().publish(recordsFor(t.name, 2, 10));
    const got: DeliveredRecord[] = [];
    const again = await log
      .subscriber()
      .subscribe({ group: "late", topics: [t.name], fromBeginning: false, handler: async (b) => void got.push(...b.records) });
    await until(() => got.length >= 2, 5_000, "the 2 new records");
    await Bun.sleep(100);
    await again.stop();
    expect(got.map((r) => r.value)).toEqual(["10", "11"]);
  });

  test("stop() lets the in-flight batch finish and commits it", async () => {
    const log = await openLog("stop.db");
    const t = spec(1);
    await log.admin().ensureTopics([t]);
    await log.publisher().publish(recordsFor(t.name, 20));
    let started = false;
    let finished = false;
    const sub = await log.subscriber().subscribe({
      group: "slow",
      topics: [t.name],
      maxBatchSize: 20,
      handler: async (batch) => {
        started = true;
        await Bun.sleep(200);
        expect(batch.isActive()).toBe(false);
        finished = true;
      },
    });
    await until(() => started, 5_000, "the batch to start");
    await sub.stop();
    expect(finished).toBe(true);
    expect(await log.admin().lag("slow", [t.name])).toEqual([{ topic: t.name, partition: 0, committed: 20, end: 20, lag: 0 }]);
  });
});
