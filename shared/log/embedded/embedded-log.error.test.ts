import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import type { TopicSpec } from "../../events/topics.ts";
import type { EventLog } from "../event-log.ts";
import { partitionFor } from "../partition.ts";
import { createEmbeddedLog, type EmbeddedEventLog } from "./embedded-log.ts";
import { UnknownTopicError } from "./topic-registry.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetstream-embedded-log-error-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = { warn: () => {}, error: () => {} };
let topicSeq = 0;
function spec(partitions: number): TopicSpec {
  return {
    name: `embedded-error-${topicSeq++}`,
    partitions,
    retentionMs: 3_600_000,
    cleanupPolicy: "delete",
    keyField: "k",
    description: "embedded adapter test",
  };
}
function keyIn(partition: number, partitions: number): string {
  for (let i = 0; ; i++) if (partitionFor(`key-${i}`, partitions) === partition) return `key-${i}`;
}
async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

describe("embedded log failures", () => {
  const open: EventLog[] = [];
  afterAll(() => Promise.allSettled(open.map((l) => l.close())));
  async function openLog(file: string): Promise<EmbeddedEventLog> {
    const log = await createEmbeddedLog({ url: `file:${dir}/${file}`, logger: quiet });
    open.push(log);
    return log;
  }

  test("publishing to an unknown topic rejects, naming the topic, and writes nothing of that call", async () => {
    const log = await openLog("unknown.db");
    const t = spec(1);
    await log.admin().ensureTopics([t]);
    const publishing = log.publisher().publish([
      { topic: t.name, key: "a", value: "kept out" },
      { topic: "no.such.topic", key: "a", value: "x" },
    ]);
    await expect(publishing).rejects.toThrow(UnknownTopicError);
    await expect(publishing).rejects.toThrow(/unknown topic "no\.such\.topic".*ensureTopics/);
    expect((await log.admin().lag("g", [t.name]))[0]?.end).toBe(0);
    await expect(log.subscriber().subscribe({ group: "g", topics: ["no.such.topic"], handler: async () => {} })).rejects.toThrow(
      UnknownTopicError,
    );
  });

  test("a partition whose handler keeps failing does not hold back another partition", async () => {
    const log = await openLog("isolation.db");
    const t = spec(2);
    await log.admin().ensureTopics([t]);
    const bad = keyIn(0, 2);
    const good = keyIn(1, 2);
    await log
      .publisher()
      .publish([
        ...Array.from({ length: 5 }, (_, i) => ({ topic: t.name, key: bad, value: `bad-${i}` })),
        ...Array.from({ length: 5 }, (_, i) => ({ topic: t.name, key: good, value: `good-${i}` })),
      ]);
    let failures = 0;
    const delivered: string[] = [];
    const sub = await log.subscriber().subscribe({
      group: "g",
      topics: [t.name],
      maxBatchSize: 1,
      handler: async (batch) => {
        if (batch.partition === 0) {
          failures++;
          throw new Error("injected failure");
        }
        delivered.push(...batch.records.map((r) => r.value));
      },
    });
    await until(() => delivered.length >= 5, 5_000, "the healthy partition");
    await until(() => failures >= 3, 5_000, "redeliveries of the failing partition");
    await sub.stop();
    expect(delivered).toEqual(["good-0", "good-1", "good-2", "good-3", "good-4"]);
    const lag = await log.admin().lag("g", [t.name]);
    expect(lag.map((p) => p.committed)).toEqual([-1, 5]);
  });

  test("one member per group: a second subscribe and a reset while subscribed are refused", async () => {
    const log = await openLog("membership.db");
    const t = spec(1);
    await log.admin().ensureTopics([t]);
    const sub = await log.subscriber().subscribe({ group: "g", topics: [t.name], handler: async () => {} });
    await expect(log.subscriber().subscribe({ group: "g", topics: [t.name], handler: async () => {} })).rejects.toThrow(
      /already subscribed/,
    );
    await expect(log.admin().resetOffsets("g", t.name, { to: "earliest" })).rejects.toThrow(/active subscription/);
    await sub.stop();
    await log.admin().resetOffsets("g", t.name, { to: "earliest" });
    const again = await log.subscriber().subscribe({ group: "g", topics: [t.name], handler: async () => {} });
    await again.stop();
  });

  test("SQLITE_BUSY from another writer is fatal for the client: later calls and running subscriptions fail", async () => {
    const log = await openLog("busy.db");
    const t = spec(1);
    await log.admin().ensureTopics([t]);
    const sub = await log.subscriber().subscribe({ group: "g", topics: [t.name], handler: async () => {} });
    const intruder = createClient({ url: `file:${dir}/busy.db` });
    const tx = await intruder.transaction("write");
    try {
      await expect(log.publisher().publish([{ topic: t.name, key: "a", value: "x" }])).rejects.toThrow(/busy.*recreated/);
    } finally {
      await tx.rollback();
      intruder.close();
    }
    await expect(log.publisher().publish([{ topic: t.name, key: "a", value: "y" }])).rejects.toThrow(/busy/);
    await expect(sub.done).rejects.toThrow(/busy/);
  }, 20_000);
});
