import { describe, expect, test } from "bun:test";
import { BackpressureError, NonRetriableError, RetryableError } from "../../errors/errors.ts";
import type { OutgoingRecord } from "../event-log.ts";
import { type BatchSender, createKafkaPublisher, type PublisherOptions } from "./kafka-publisher.ts";

/** A producer that records each sendBatch as the list of values it carried. */
function fakeProducer() {
  const sends: string[][] = [];
  let gate: Promise<void> | undefined;
  let failure: ((values: string[]) => Error | undefined) | undefined;
  let disconnected = false;
  const producer = {
    async sendBatch({ topicMessages }) {
      const values = (topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value)));
      sends.push(values);
      if (gate) await gate;
      const err = failure?.(values);
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
    /** Holds every send until the returned function is called. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    failWhen(f: (values: string[]) => Error | undefined) {
      failure = f;
    },
  };
}

const DEFAULTS: PublisherOptions = { maxBufferedRecords: 20_000, flushAtRecords: 1000, lingerMs: 5 };
const rec = (value: string): OutgoingRecord => ({ topic: "t", key: "k", value });

describe("kafka publisher batching", () => {
  test("5000 concurrent single-record publishes go out in 5 sends of 1000", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    await Promise.all(Array.from({ length: 5000 }, (_, i) => pub.publish([rec(String(i))])));
    expect(fake.sends.map((s) => s.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(fake.sends.flat()).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
  });

  test("records published within lingerMs share one send; none is sent before the linger ends", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, lingerMs: 30 });
    const all = Promise.all([pub.publish([rec("a")]), pub.publish([rec("b"), rec("c")])]);
    await Bun.sleep(10);
    expect(fake.sends).toEqual([]);
    await all;
    expect(fake.sends).toEqual([["a", "b", "c"]]);
  });

  test("publishes made while a send is in flight follow in the next send, in publish order", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, DEFAULTS);
    const release = fake.hold();
    const first = pub.publish([rec("a"), rec("b")]);
    await Bun.sleep(15);
    const second = [pub.publish([rec("c")]), pub.publish([rec("d")])];
    await Bun.sleep(15);
    expect(fake.sends).toEqual([["a", "b"]]);
    release();
    await Promise.all([first, ...second]);
    expect(fake.sends).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  test("the buffer counts records in flight: full means BackpressureError until the send is acked", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, maxBufferedRecords: 10 });
    const release = fake.hold();
    const ten = pub.publish(Array.from({ length: 10 }, (_, i) => rec(String(i))));
    await Bun.sleep(15);
    expect(fake.sends.length).toBe(1);
    const err = await pub.publish([rec("x")]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).retryAfterMs).toBe(1000);
    release();
    await ten;
    await pub.publish([rec("y")]);
  });

  test("a publish larger than the whole buffer is a caller error, not backpressure", async () => {
    const pub = createKafkaPublisher(fakeProducer().producer, { ...DEFAULTS, maxBufferedRecords: 10 });
    await expect(pub.publish(Array.from({ length: 11 }, (_, i) => rec(String(i))))).rejects.toBeInstanceOf(RangeError);
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
});

describe("kafka publisher close", () => {
  test("close sends what is queued, then disconnects; later publishes reject", async () => {
    const fake = fakeProducer();
    const pub = createKafkaPublisher(fake.producer, { ...DEFAULTS, lingerMs: 10_000 });
    const queued = pub.publish([rec("a")]);
    await pub.close();
    await queued;
    expect(fake.sends).toEqual([["a"]]);
    expect(fake.disconnected()).toBe(true);
    await expect(pub.publish([rec("b")])).rejects.toThrow("publisher is closed");
  });
});
