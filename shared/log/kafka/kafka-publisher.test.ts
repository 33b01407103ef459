import { describe, expect, test } from "bun:test";
import { BackpressureError, NonRetriableError, RetryableError } from "../../errors/errors.ts";
import type { OutgoingRecord } from "../event-log.ts";
import { partitionFor } from "../partition.ts";
import { type BatchSender, createKafkaPublisher, type PublisherOptions } from "./kafka-publisher.ts";

interface Send {
  /** `topic/partition:value` of each message, in the order sent. */
  records: string[];
  partitions: string[];
  release: () => void;
}

/** A producer that records each sendBatch; `hold()` keeps sends pending until released one by one. */
function fakeProducer() {
  const sends: Send[] = [];
  let holding = false;
  let failure: ((values: string[]) => Error | undefined) | undefined;
  let disconnected = false;
  let inFlight = new Set<string>();
  let overlaps = 0;
  let pending = 0;
  let mostPending = 0;
  const producer = {
    async sendBatch({ topicMessages }) {
      const records = (topicMessages ?? []).flatMap((t) => t.messages.map((m) => `${t.topic}/${m.partition}:${String(m.value)}`));
      const partitions = [...new Set(records.map((r) => r.split(":")[0]!))];
      for (const p of partitions) if (inFlight.has(p)) overlaps++;
      inFlight = new Set([...inFlight, ...partitions]);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      sends.push({ records, partitions, release });
      mostPending = Math.max(mostPending, ++pending);
      if (holding) await gate;
      pending--;
      for (const p of partitions) inFlight.delete(p);
      const err = failure?.(records.map((r) => r.split(":")[1]!));
      if (err) throw err;
      return [];
    },
    async disconnect() {
      disconnected = true;
    },
  } satisfies BatchSender;
  return {
    producer,
    sends,
    disconnected: () => disconnected,
    /** Sends that touched a partition another send still held. */
    overlaps: () => overlaps,
    /** Most sends pending at once. */
    mostPending: () => mostPending,
    hold() {
      holding = true;
    },
    failWhen(f: (values: string[]) => Error | undefined) {
      failure = f;
    },
  };
}

const COUNTS: Record<string, number> = { t: 4, u: 2 };
const DEFAULTS: PublisherOptions = {
  maxBufferedRecords: 20_000,
  flushAtRecords: 1000,
  lingerMs: 0,
  partitionCount: async (topic) => {
    const n = COUNTS[topic];
    if (n === undefined) throw new Error(`This server does not host this topic-partition: ${topic}`);
    return n;
  },
};
/** A key of `topic` that lands on `partition`. */
const keyOn = (partition: number, topic = "t", nth = 0) =>
  Array.from({ length: 400 }, (_, i) => `key-${i}`).filter((k) => partitionFor(k, COUNTS[topic]!) === partition)[nth]!;
const rec = (value: string, key = keyOn(0), topic = "t"): OutgoingRecord => ({ topic, key, value });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await Bun.sleep(2);
  expect(cond()).toBe(true);
};

describe("kafka publisher batching", () => {
  test("5000 concurrent single-record publishes to one partition go out in 5 sends of 1000, in publish order", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    await Promise.all(Array.from({ length: 5000 }, (_, i) => pub.publish([rec(String(i))])));
    expect(fake.sends.map((s) => s.records.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(fake.sends.flatMap((s) => s.records).map((r) => r.split(":")[1])).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
  });

  test("every record is sent to its key's partition (Kafka's default partitioner)", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    const keys = Array.from({ length: 50 }, (_, i) => `driver-${i}`);
    await pub.publish(keys.map((k) => rec(k, k)));
    for (const r of fake.sends.flatMap((s) => s.records)) {
      const [where, key] = r.split(":");
      expect(where).toBe(`t/${partitionFor(key!, 4)}`);
    }
  });

  test("records published within lingerMs share one send; none is sent before the linger ends", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, lingerMs: 30 });
    const all = Promise.all([pub.publish([rec("a")]), pub.publish([rec("b", keyOn(1)), rec("c")])]);
    await Bun.sleep(10);
    expect(fake.sends).toEqual([]);
    await all;
    expect(fake.sends.map((s) => s.records.map((r) => r.split(":")[1]).sort())).toEqual([["a", "b", "c"]]);
  });

  test("a partition's records wait for its send in flight, then follow in one send in publish order; other partitions go at once", async () => {
    const fake = fakeProducer();
    fake.hold();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    const first = pub.publish([rec("a"), rec("b")]);
    await until(() => fake.sends.length === 1);
    const later = [pub.publish([rec("c")]), pub.publish([rec("d")])];
    const other = pub.publish([rec("x", keyOn(1))]);
    await until(() => fake.sends.length === 2);
    await Bun.sleep(10);
    expect(fake.sends.map((s) => s.records)).toEqual([["t/0:a", "t/0:b"], ["t/1:x"]]);
    fake.sends[1]!.release();
    await other;
    fake.sends[0]!.release();
    await first;
    await until(() => fake.sends.length === 3);
    expect(fake.sends[2]!.records).toEqual(["t/0:c", "t/0:d"]);
    fake.sends[2]!.release();
    await Promise.all(later);
    expect(fake.overlaps()).toBe(0);
  });

  test("with sends acked in random order, no partition ever has two sends in flight and every key's records go out in publish order", async () => {
    const fake = fakeProducer();
    fake.hold();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, flushAtRecords: 7 });
    const keys = [
      ...[0, 1, 2, 3].flatMap((p) => [0, 1].map((nth) => ({ topic: "t", key: keyOn(p, "t", nth) }))),
      ...[0, 1].map((p) => ({ topic: "u", key: keyOn(p, "u") })),
    ];
    const published = new Map<string, string[]>();
    const publishes: Promise<void>[] = [];
    const released = new Set<Send>();
    const releaseOne = () => {
      const pending = fake.sends.filter((s) => !released.has(s));
      const pick = pending[Math.floor(Math.random() * pending.length)];
      if (pick) {
        released.add(pick);
        pick.release();
      }
    };
    for (let round = 0; round < 60; round++) {
      for (let j = 0; j < 3; j++) {
        const picked = Array.from({ length: 1 + ((round + j) % 3) }, (_, n) => keys[(round * 7 + j * 3 + n * 5) % keys.length]!);
        const records = picked.map(({ topic, key }, n) => rec(`${key}#${round}.${j}.${n}`, key, topic));
        for (const r of records) published.set(`${r.topic}|${r.key}`, [...(published.get(`${r.topic}|${r.key}`) ?? []), r.value]);
        publishes.push(pub.publish(records));
      }
      await Bun.sleep(0);
      releaseOne();
    }
    let done = false;
    void Promise.all(publishes).then(() => (done = true));
    while (!done) {
      releaseOne();
      await Bun.sleep(1);
    }
    expect(fake.overlaps()).toBe(0);
    expect(fake.mostPending()).toBeGreaterThan(3);
    // sendBatch calls in the order made: per partition that is the order the broker appends.
    const sent = new Map<string, string[]>();
    for (const s of fake.sends)
      for (const r of s.records) {
        const [where, value] = r.split(":") as [string, string];
        const id = `${where.split("/")[0]}|${value.split("#")[0]}`;
        sent.set(id, [...(sent.get(id) ?? []), value]);
      }
    expect(sent).toEqual(published);
  });

  test("the buffer counts records in flight: full means BackpressureError until the send is acked", async () => {
    const fake = fakeProducer();
    fake.hold();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, maxBufferedRecords: 10 });
    const ten = pub.publish(Array.from({ length: 10 }, (_, i) => rec(String(i))));
    await until(() => fake.sends.length === 1);
    const err = await pub.publish([rec("x", keyOn(2))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).retryAfterMs).toBe(1000);
    fake.sends[0]!.release();
    await ten;
    const y = pub.publish([rec("y")]);
    await until(() => fake.sends.length === 2);
    fake.sends[1]!.release();
    await y;
  });

  test("a publish larger than the whole buffer is a caller error, not backpressure", async () => {
    const pub = createKafkaPublisher(fakeProducer().producer, { ...DEFAULTS, maxBufferedRecords: 10 });
    await expect(pub.publish(Array.from({ length: 11 }, (_, i) => rec(String(i))))).rejects.toBeInstanceOf(RangeError);
  });
});

describe("kafka publisher partition counts", () => {
  test("a topic whose partitions cannot be looked up fails its publishes as retriable, naming it; other topics are unaffected", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    const [missing, fine] = await Promise.allSettled([pub.publish([rec("a", "k", "nope")]), pub.publish([rec("b", "k", "u")])]);
    expect((missing as PromiseRejectedResult).reason).toBeInstanceOf(RetryableError);
    expect(String((missing as PromiseRejectedResult).reason)).toContain("nope");
    expect(fine.status).toBe("fulfilled");
    expect(fake.sends.flatMap((s) => s.records)).toEqual([`u/${partitionFor("k", 2)}:b`]);
  });

  test("a count is looked up once per topic however many publishes wait for it", async () => {
    let lookups = 0;
    const pub = createKafkaPublisher(fakeProducer().producer, {
      ...DEFAULTS,
      partitionCount: async () => {
        lookups++;
        await Bun.sleep(5);
        return 3;
      },
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => pub.publish([rec(String(i), `k${i}`)])));
    await pub.publish([rec("late")]);
    expect(lookups).toBe(1);
  });
});

describe("kafka publisher failures", () => {
  test("a retriable send failure rejects every publish in that send with RetryableError", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    const cause = Object.assign(new Error("Connection timeout"), { retriable: true });
    fake.failWhen(() => cause);
    const results = await Promise.allSettled([pub.publish([rec("a")]), pub.publish([rec("b")])]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const reason = (r as PromiseRejectedResult).reason as RetryableError;
      expect(reason).toBeInstanceOf(RetryableError);
      expect(reason.cause).toBe(cause);
    }
  });

  test("exhausted kafkajs retries count as retriable when the broker's own error was", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    const broker = Object.assign(new Error("Leader not available"), { retriable: true });
    fake.failWhen(() => Object.assign(new Error("Number of retries exceeded", { cause: broker }), { retriable: false }));
    await expect(pub.publish([rec("a")])).rejects.toBeInstanceOf(RetryableError);
  });

  test("a non-retriable failure of a shared send fails only the publish that caused it", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    fake.failWhen((values) => (values.includes("huge") ? Object.assign(new Error("Message too large"), { retriable: false }) : undefined));
    const [good1, bad, good2] = await Promise.allSettled([pub.publish([rec("a")]), pub.publish([rec("huge")]), pub.publish([rec("b")])]);
    expect(good1.status).toBe("fulfilled");
    expect(good2.status).toBe("fulfilled");
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(NonRetriableError);
  });

  test("a publish spanning partitions fails when any of its partitions' sends fails, once all of them settled", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    fake.failWhen((values) => (values.includes("bad") ? Object.assign(new Error("Connection closed"), { retriable: true }) : undefined));
    fake.hold();
    const first = pub.publish([rec("first", keyOn(1))]);
    await until(() => fake.sends.length === 1);
    let spanningSettled = false;
    const spanning = pub.publish([rec("ok"), rec("bad", keyOn(1))]).finally(() => (spanningSettled = true));
    spanning.catch(() => {});
    await until(() => fake.sends.length === 2);
    expect(fake.sends[1]!.records).toEqual(["t/0:ok"]);
    fake.sends[1]!.release();
    await Bun.sleep(5);
    expect(spanningSettled).toBe(false);
    fake.sends[0]!.release();
    await first;
    await until(() => fake.sends.length === 3);
    fake.sends[2]!.release();
    await expect(spanning).rejects.toBeInstanceOf(RetryableError);
  });
});

describe("kafka publisher close", () => {
  test("close sends what is queued, then disconnects; later publishes reject", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, lingerMs: 10_000 });
    const queued = pub.publish([rec("a")]);
    await pub.close();
    await queued;
    expect(fake.sends.map((s) => s.records)).toEqual([["t/0:a"]]);
    expect(fake.disconnected()).toBe(true);
    await expect(pub.publish([rec("b")])).rejects.toThrow("publisher is closed");
  });

  test("close waits for publishes still waiting for their topic's partition count", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, {
      ...DEFAULTS,
      partitionCount: async () => {
        await Bun.sleep(20);
        return 4;
      },
    });
    const queued = pub.publish([rec("a")]);
    await pub.close();
    await queued;
    expect(fake.sends.map((s) => s.records)).toEqual([["t/0:a"]]);
  });
});
