import { afterAll, describe, expect, test } from "bun:test";
import type { TopicSpec } from "../events/topics.ts";
import type { DeliveredRecord, EventLog, OutgoingRecord, Subscription } from "./event-log.ts";

/**
 * The universal EventLog suite. Every adapter's test file calls it; an adapter that
 * passes it can replace another without the layers above noticing.
 * Capability flags (not skips) select the scenarios a technology can offer.
 */
export interface EventLogContractOptions {
  name: string;
  /** A new client on the same underlying log each call (same file, same brokers): a second call models a restart. */
  create: () => Promise<EventLog>;
  features: {
    /** A second member of a group takes over partitions when the first leaves (needs a group coordinator). */
    groupMembership: boolean;
  };
}

let seq = 0;
function uniq(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

function topicSpec(partitions = 3): TopicSpec {
  return {
    name: uniq("contract"),
    partitions,
    retentionMs: 3_600_000,
    cleanupPolicy: "delete",
    keyField: "k",
    description: "contract test",
  };
}

function records(topic: string, n: number, keys: number, tag = "r"): OutgoingRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    topic,
    key: `key-${i % keys}`,
    value: JSON.stringify({ tag, i, pad: "é😀".repeat(i % 5) }),
    headers: { type: "contract.test", seq: String(i) },
  }));
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const payloadOf = (r: DeliveredRecord) => JSON.parse(r.value) as { tag: string; i: number };

export function runEventLogContract(opts: EventLogContractOptions): void {
  describe(`EventLog contract: ${opts.name}`, () => {
    const open: EventLog[] = [];
    const subs: Subscription[] = [];
    const connect = async () => {
      const log = await opts.create();
      open.push(log);
      return log;
    };
    afterAll(async () => {
      await Promise.allSettled(subs.map((s) => s.stop()));
      await Promise.allSettled(open.map((l) => l.close()));
    });

    async function setup(partitions = 3) {
      const log = await connect();
      const spec = topicSpec(partitions);
      await log.admin().ensureTopics([spec]);
      return { log, topic: spec.name };
    }

    async function consume(log: EventLog, group: string, topic: string, onRecord?: (r: DeliveredRecord) => void | Promise<void>) {
      const got: DeliveredRecord[] = [];
      const sub = await log.subscriber().subscribe({
        group,
        topics: [topic],
        fromBeginning: true,
        handler: async (batch) => {
          for (const r of batch.records) await onRecord?.(r);
          got.push(...batch.records);
        },
      });
      subs.push(sub);
      return { got, sub };
    }

    test("every published record is delivered once to a group, payload and headers intact", async () => {
      const { log, topic } = await setup();
      const sent = records(topic, 600, 37);
      await log.publisher().publish(sent);
      const { got, sub } = await consume(log, uniq("g"), topic);
      await until(() => got.length >= sent.length, 30_000, "all records");
      await Bun.sleep(300);
      await sub.stop();
      expect(got.length).toBe(sent.length);
      const byI = new Map(got.map((r) => [payloadOf(r).i, r]));
      expect(byI.size).toBe(sent.length);
      for (const [i, s] of sent.entries()) {
        const r = byI.get(i)!;
        expect(r.value).toBe(s.value);
        expect(r.key).toBe(s.key);
        expect(r.headers.type).toBe("contract.test");
        expect(r.headers.seq).toBe(String(i));
        expect(r.topic).toBe(topic);
      }
    });

    test("records of one key keep publish order, and one key maps to one partition", async () => {
      const { log, topic } = await setup(4);
      const pub = log.publisher();
      for (let b = 0; b < 5; b++)
        await pub.publish(
          records(topic, 100, 7, `b${b}`).map((r, i) => ({ ...r, value: JSON.stringify({ tag: `b${b}`, i: b * 100 + i }) })),
        );
      const { got, sub } = await consume(log, uniq("g"), topic);
      await until(() => got.length >= 500, 30_000, "500 records");
      await sub.stop();
      const perKey = new Map<string, DeliveredRecord[]>();
      for (const r of got) perKey.set(r.key, [...(perKey.get(r.key) ?? []), r]);
      expect(perKey.size).toBe(7);
      for (const rs of perKey.values()) {
        expect(new Set(rs.map((r) => r.partition)).size).toBe(1);
        const is = rs.map((r) => payloadOf(r).i);
        expect(is).toEqual([...is].sort((a, b) => a - b));
        const offs = rs.map((r) => r.offset);
        expect(offs).toEqual([...offs].sort((a, b) => a - b));
      }
    });

    test("a batch whose handler throws is delivered again, and nothing after it is skipped", async () => {
      const { log, topic } = await setup(1);
      await log.publisher().publish(records(topic, 50, 1));
      let failures = 0;
      const { got, sub } = await consume(log, uniq("g"), topic, (r) => {
        if (payloadOf(r).i === 20 && failures < 2) {
          failures++;
          throw new Error("handler failure (injected)");
        }
      });
      await until(() => new Set(got.map((r) => payloadOf(r).i)).size >= 50, 30_000, "all 50 after redelivery");
      await sub.stop();
      expect(failures).toBe(2);
      expect(got.filter((r) => payloadOf(r).i === 20).length).toBe(1);
      expect(got.map((r) => payloadOf(r).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    test("a group resumes from its committed offset after a restart", async () => {
      const { log, topic } = await setup(2);
      const group = uniq("g");
      await log.publisher().publish(records(topic, 40, 5, "first"));
      const a = await consume(log, group, topic);
      await until(() => a.got.length >= 40, 30_000, "first 40");
      await a.sub.stop();
      await log.close();

      const again = await connect();
      await again.publisher().publish(records(topic, 30, 5, "second"));
      const b = await consume(again, group, topic);
      await until(() => b.got.length >= 30, 30_000, "next 30");
      await Bun.sleep(500);
      await b.sub.stop();
      expect(b.got.every((r) => payloadOf(r).tag === "second")).toBe(true);
      expect(b.got.length).toBe(30);
    });

    test("two groups each receive every record", async () => {
      const { log, topic } = await setup();
      await log.publisher().publish(records(topic, 200, 11));
      const g1 = await consume(log, uniq("g1"), topic);
      const g2 = await consume(log, uniq("g2"), topic);
      await until(() => g1.got.length >= 200 && g2.got.length >= 200, 30_000, "both groups");
      await Promise.all([g1.sub.stop(), g2.sub.stop()]);
      expect(new Set(g1.got.map((r) => payloadOf(r).i)).size).toBe(200);
      expect(new Set(g2.got.map((r) => payloadOf(r).i)).size).toBe(200);
    });

    test("lag counts unconsumed records per partition and drops to zero once consumed", async () => {
      const { log, topic } = await setup(3);
      const group = uniq("g");
      await log.publisher().publish(records(topic, 90, 30));
      const before = await log.admin().lag(group, [topic]);
      expect(before.length).toBe(3);
      expect(before.reduce((s, p) => s + p.lag, 0)).toBe(90);
      expect(before.reduce((s, p) => s + p.end, 0)).toBe(90);
      const c = await consume(log, group, topic);
      await until(() => c.got.length >= 90, 30_000, "90 records");
      await c.sub.stop();
      const after = await log.admin().lag(group, [topic]);
      expect(after.reduce((s, p) => s + p.lag, 0)).toBe(0);
      for (const p of after) expect(p.committed).toBe(p.end);
    });

    test("reset to earliest replays everything; reset to a timestamp or an offset replays from there", async () => {
      const { log, topic } = await setup(1);
      const group = uniq("g");
      const admin = log.admin();
      await log.publisher().publish(records(topic, 20, 3, "old"));
      await Bun.sleep(50);
      const mark = Date.now();
      await Bun.sleep(50);
      await log.publisher().publish(records(topic, 10, 3, "new"));

      const first = await consume(log, group, topic);
      await until(() => first.got.length >= 30, 30_000, "30 records");
      await first.sub.stop();

      await admin.resetOffsets(group, topic, { to: "earliest" });
      const replay = await consume(log, group, topic);
      await until(() => replay.got.length >= 30, 30_000, "replay of 30");
      await replay.sub.stop();
      expect(replay.got.map((r) => r.value)).toEqual(first.got.map((r) => r.value));

      await admin.resetOffsets(group, topic, { to: "timestamp", timestamp: mark });
      const fromTs = await consume(log, group, topic);
      await until(() => fromTs.got.length >= 10, 30_000, "records after timestamp");
      await Bun.sleep(300);
      await fromTs.sub.stop();
      expect(fromTs.got.map((r) => payloadOf(r).tag)).toEqual(Array(10).fill("new"));

      await admin.resetOffsets(group, topic, { to: "offset", offset: 25, partition: 0 });
      const fromOffset = await consume(log, group, topic);
      await until(() => fromOffset.got.length >= 5, 30_000, "records from offset 25");
      await Bun.sleep(300);
      await fromOffset.sub.stop();
      expect(fromOffset.got.map((r) => r.offset)).toEqual([25, 26, 27, 28, 29]);
    });

    if (opts.features.groupMembership) {
      test("a second member takes over the partitions when the first leaves", async () => {
        const { log, topic } = await setup(4);
        const group = uniq("g");
        const pub = log.publisher();
        await pub.publish(records(topic, 200, 40, "a"));
        const seen = new Set<number>();
        const a = await consume(log, group, topic, (r) => void seen.add(payloadOf(r).i));
        await until(() => seen.size >= 200, 30_000, "member A consumed the first 200");
        const other = await connect();
        const b = await consume(other, group, topic, (r) => void seen.add(payloadOf(r).i));
        await Bun.sleep(1000);
        await a.sub.stop();
        await pub.publish(records(topic, 200, 40, "b").map((r, i) => ({ ...r, value: JSON.stringify({ tag: "b", i: 200 + i }) })));
        await until(() => seen.size >= 400, 60_000, "member B consumed the second 200");
        await b.sub.stop();
        expect(b.got.filter((r) => payloadOf(r).tag === "b").length).toBeGreaterThanOrEqual(200);
        expect(new Set(b.got.map((r) => r.partition)).size).toBe(4);
      });
    }
  });
}
