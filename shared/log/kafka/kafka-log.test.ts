import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { AssignerProtocol, Kafka, logLevel, type PartitionAssigner } from "kafkajs";
import { BackpressureError } from "../../errors/errors.ts";
import type { TopicSpec } from "../../events/topics.ts";
import type { DeliveredRecord, EventLog, OutgoingRecord } from "../event-log.ts";
import { runEventLogContract } from "../log.contract.ts";
import { partitionFor } from "../partition.ts";
import { createKafkaLog, type KafkaLogOptions } from "./kafka-log.ts";
import { type BatchSender, createKafkaPublisher } from "./kafka-publisher.ts";
import { brokersFromEnv, uniqueName } from "./kafka-test-env.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; the contract's waits (up to 60 s) need this.
setDefaultTimeout(60_000);

describe("kafka EventLog", () => {
  const brokers = brokersFromEnv();

  runEventLogContract({
    name: "kafka",
    create: () => createKafkaLog({ brokers, clientId: uniqueName("contract") }),
    features: { groupMembership: true },
  });

  describe("adapter", () => {
    const open: EventLog[] = [];
    afterAll(() => Promise.allSettled(open.map((l) => l.close())));

    async function connect(opts: Partial<KafkaLogOptions> = {}): Promise<EventLog> {
      const log = await createKafkaLog({ brokers, clientId: uniqueName("adapter"), ...opts });
      open.push(log);
      return log;
    }

    async function newTopic(log: EventLog, partitions: number): Promise<string> {
      const spec: TopicSpec = {
        name: uniqueName("adapter"),
        partitions,
        retentionMs: 3_600_000,
        cleanupPolicy: "delete",
        keyField: "k",
        description: "adapter test",
      };
      await log.admin().ensureTopics([spec]);
      return spec.name;
    }

    const record = (topic: string, key: string, i: number): OutgoingRecord => ({ topic, key, value: String(i) });

    async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await Bun.sleep(20);
      }
    }

    test("a record with key K lands in partitionFor(K, n), as Java clients place it", async () => {
      const log = await connect();
      const topic = await newTopic(log, 6);
      const keys = Array.from({ length: 60 }, (_, i) => `driver-${i}-${crypto.randomUUID()}`);
      await log.publisher().publish(keys.map((k, i) => record(topic, k, i)));
      const got: DeliveredRecord[] = [];
      const sub = await log
        .subscriber()
        .subscribe({ group: uniqueName("g"), topics: [topic], handler: async (b) => void got.push(...b.records) });
      await until(() => got.length >= keys.length, 30_000, "all keys");
      await sub.stop();
      for (const r of got) expect(r.partition).toBe(partitionFor(r.key, 6));
      expect(new Set(got.map((r) => r.partition)).size).toBe(6);
    });

    test("a full buffer rejects with BackpressureError at once, counting records in flight, and accepts again once drained", async () => {
      const log = await connect({ maxBufferedRecords: 10 });
      const topic = await newTopic(log, 1);
      const pub = log.publisher();
      // More than the whole buffer can never fit, so it is a caller error rather than backpressure.
      await expect(pub.publish(Array.from({ length: 11 }, (_, i) => record(topic, "k", i)))).rejects.toBeInstanceOf(RangeError);

      const ten = pub.publish(Array.from({ length: 10 }, (_, i) => record(topic, "k", i)));
      const overflow = await pub.publish([record(topic, "k", 10)]).catch((e: unknown) => e);
      expect(overflow).toBeInstanceOf(BackpressureError);
      expect((overflow as BackpressureError).retryAfterMs).toBeGreaterThan(0);
      await ten;
      await pub.publish([record(topic, "k", 11)]);
      const [lag] = await log.admin().lag(uniqueName("g"), [topic]);
      expect(lag?.end).toBe(11);
    });

    test("5000 concurrent single-record publishes all resolve and all land (batching itself: kafka-publisher.test.ts)", async () => {
      const log = await connect();
      const topic = await newTopic(log, 3);
      const pub = log.publisher();
      await Promise.all(Array.from({ length: 5000 }, (_, i) => pub.publish([record(topic, `k${i % 97}`, i)])));
      const lag = await log.admin().lag(uniqueName("g"), [topic]);
      expect(lag.reduce((n, p) => n + p.end, 0)).toBe(5000);
    });

    test("per-key order holds on the broker under concurrent sends to different partitions", async () => {
      const log = await connect();
      const topic = await newTopic(log, 6);
      const kafka = new Kafka({ brokers, clientId: uniqueName("order"), logLevel: logLevel.NOTHING });
      const producer = kafka.producer({
        createPartitioner:
          () =>
          ({ message }) =>
            message.partition!,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      // The real producer, counting how many of its sends are pending at once. Its first send (one partition's record)
      // is held until a second send starts, so whether sends to other partitions overlap it does not depend on how fast
      // the broker acks; if none ever does, the bound lets it go and the count below fails the test.
      let pending = 0;
      let mostPending = 0;
      let sends = 0;
      let releaseFirst!: () => void;
      const firstReleased = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      const counting: BatchSender = {
        sendBatch: async (batch) => {
          const n = ++sends;
          mostPending = Math.max(mostPending, ++pending);
          if (pending > 1) releaseFirst();
          try {
            if (n === 1) await Promise.race([firstReleased, Bun.sleep(10_000)]);
            return await producer.sendBatch(batch);
          } finally {
            pending--;
          }
        },
        disconnect: () => producer.disconnect(),
      };
      const pub = createKafkaPublisher(counting, {
        maxBufferedRecords: 50_000,
        flushAtRecords: 50,
        lingerMs: 0,
        partitionCount: async () => 6,
      });
      const keys = Array.from({ length: 24 }, (_, i) => `order-${i}-${crypto.randomUUID().slice(0, 6)}`);
      const expected = new Map(keys.map((k) => [k, [] as string[]]));
      const publishes: Promise<void>[] = [];
      for (let round = 0; round < 150; round++) {
        // Each call spans several keys (so several partitions); calls are never awaited in between.
        const picked = Array.from({ length: 1 + (round % 4) }, (_, n) => keys[(round * 5 + n * 7) % keys.length]!);
        const records = picked.map((k, n) => record(topic, k, round * 10 + n));
        for (const r of records) expected.get(r.key)!.push(r.value);
        publishes.push(pub.publish(records));
        if (round === 0) await until(() => sends === 1, 10_000, "the first send");
        if (round % 10 === 9) await Bun.sleep(1);
      }
      await Promise.all(publishes);
      await pub.close();
      const total = [...expected.values()].reduce((n, v) => n + v.length, 0);
      const got: DeliveredRecord[] = [];
      const sub = await log
        .subscriber()
        .subscribe({ group: uniqueName("g"), topics: [topic], handler: async (b) => void got.push(...b.records) });
      await until(() => got.length >= total, 30_000, "every record consumed");
      await sub.stop();
      const seen = new Map(keys.map((k) => [k, [] as string[]]));
      for (const r of got.sort((a, b) => a.partition - b.partition || a.offset - b.offset)) seen.get(r.key)!.push(r.value);
      expect(got.length).toBe(total);
      expect(seen).toEqual(expected);
      expect(mostPending).toBeGreaterThan(1);
    });

    test("a partition whose handler keeps failing does not hold back another, and its records stay uncommitted", async () => {
      const log = await connect();
      const topic = await newTopic(log, 2);
      const keyOn = (p: number) => Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionFor(k, 2) === p)!;
      const pub = log.publisher();
      await pub.publish([record(topic, keyOn(0), 0), record(topic, keyOn(1), 1)]);
      const group = uniqueName("g");
      let failures = 0;
      const ok: string[] = [];
      const sub = await log.subscriber().subscribe({
        group,
        topics: [topic],
        handler: async (b) => {
          if (b.partition === 0) {
            failures++;
            throw new Error("injected failure on partition 0");
          }
          ok.push(...b.records.map((r) => r.value));
        },
      });
      await until(() => ok.includes("1") && failures >= 1, 15_000, "first delivery on both partitions");
      const sentAt = Date.now();
      await pub.publish([record(topic, keyOn(1), 2)]);
      await until(() => ok.includes("2"), 15_000, "partition 1 to move on");
      expect(Date.now() - sentAt).toBeLessThan(1500);
      await until(() => failures >= 3, 15_000, "partition 0 redelivered");
      await sub.stop();
      const lag = await log.admin().lag(group, [topic]);
      expect(lag.find((p) => p.partition === 0)).toMatchObject({ committed: -1, lag: 1 });
      expect(lag.find((p) => p.partition === 1)).toMatchObject({ committed: 2, lag: 0 });
    });

    test("a fatal consumer crash rejects done", async () => {
      const log = await connect({ logger: () => {} });
      const topic = await newTopic(log, 1);
      // A member whose only assigner has another name makes the broker refuse our join with a non-retriable error.
      const foreign: PartitionAssigner = () => ({
        name: "ForeignAssigner",
        version: 0,
        assign: async ({ members }) =>
          members.map((m) => ({
            memberId: m.memberId,
            memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: {}, userData: Buffer.alloc(0) }),
          })),
        protocol: ({ topics }) => ({
          name: "ForeignAssigner",
          metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
        }),
      });
      const other = new Kafka({ brokers, clientId: uniqueName("foreign"), logLevel: logLevel.NOTHING }).consumer({
        groupId: topic,
        partitionAssigners: [foreign],
        maxWaitTimeInMs: 100,
      });
      await other.connect();
      try {
        await other.subscribe({ topics: [topic] });
        await other.run({ eachMessage: async () => {} });
        const sub = await log.subscriber().subscribe({ group: topic, topics: [topic], handler: async () => {} });
        await expect(sub.done).rejects.toThrow(`kafka consumer of group "${topic}" crashed`);
        await sub.stop();
      } finally {
        await other.disconnect();
      }
    });

    test("resetOffsets: latest, one offset on every partition (clamped to what exists), and never under an active member", async () => {
      const log = await connect();
      const topic = await newTopic(log, 2);
      const admin = log.admin();
      const group = uniqueName("g");
      await log.publisher().publish(Array.from({ length: 20 }, (_, i) => record(topic, `k${i}`, i)));
      const ends = (await admin.lag(group, [topic])).map((p) => p.end);

      await admin.resetOffsets(group, topic, { to: "latest" });
      expect((await admin.lag(group, [topic])).map((p) => [p.committed, p.lag])).toEqual(ends.map((e) => [e, 0]));
      await admin.resetOffsets(group, topic, { to: "offset", offset: 1 });
      expect((await admin.lag(group, [topic])).map((p) => p.committed)).toEqual([1, 1]);
      await admin.resetOffsets(group, topic, { to: "offset", offset: 10_000 });
      expect((await admin.lag(group, [topic])).map((p) => p.committed)).toEqual(ends);
      await expect(admin.resetOffsets(group, topic, { to: "offset", offset: 0, partition: 7 })).rejects.toThrow("no partition 7");

      const sub = await log.subscriber().subscribe({ group, topics: [topic], handler: async () => {} });
      await expect(admin.resetOffsets(group, topic, { to: "earliest" })).rejects.toThrow("has active members");
      await sub.stop();
    });

    test("ensureTopics applies partitions and configs, and leaves existing topics alone", async () => {
      const log = await connect();
      const spec: TopicSpec = {
        name: uniqueName("adapter"),
        partitions: 2,
        retentionMs: 7_200_000,
        cleanupPolicy: "compact",
        keyField: "k",
        description: "configs",
      };
      await log.admin().ensureTopics([spec]);
      await log.admin().ensureTopics([{ ...spec, partitions: 5, retentionMs: 1000 }]);
      const admin = new Kafka({ brokers, clientId: uniqueName("inspect"), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [spec.name] });
        expect(topics[0]?.partitions.length).toBe(2);
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: 2, name: spec.name, configNames: ["retention.ms", "cleanup.policy", "message.timestamp.type"] }],
        });
        const configs = Object.fromEntries(resources[0]!.configEntries.map((c) => [c.configName, c.configValue]));
        expect(configs).toEqual({ "retention.ms": "7200000", "cleanup.policy": "compact", "message.timestamp.type": "LogAppendTime" });
      } finally {
        await admin.disconnect();
      }
    });

    test("subscribing to a topic that does not exist fails with the topic named", async () => {
      const log = await connect();
      const missing = uniqueName("missing");
      const err = await log
        .subscriber()
        .subscribe({ group: uniqueName("g"), topics: [missing], handler: async () => {} })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(String(err)).toContain(missing);
    });
  });
});
