import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisClient } from "bun";
import { Kafka, logLevel } from "kafkajs";
import { type KafkaService, startKafka } from "./kafka.ts";
import { type RedisService, startRedis } from "./redis.ts";

// Real processes on fresh ports, independent of any KAFKA_BROKERS / REDIS_URL the run was given.

describe("startRedis", () => {
  let redis: RedisService | undefined;
  afterAll(() => redis?.stop());

  test("answers PING, and again after a kill and a restart on the same port", async () => {
    redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await ping(redis.url)).toBe("PONG");

    await redis.kill();
    await expect(ping(redis.url)).rejects.toThrow();
    await redis.restart();
    expect(await ping(redis.url)).toBe("PONG");
  });
});

describe("startKafka", () => {
  let kafka: KafkaService | undefined;
  let dataDir = "";
  afterAll(async () => {
    await kafka?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("keeps records across a clean restart and a kill + restart", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "fleetstream-launcher-test-"));
    kafka = await startKafka({ dataDir });
    expect(kafka.brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    const topic = "launcher-test";
    await withAdmin(kafka.brokers, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }));

    await produce(kafka.brokers, topic, "before restart");
    expect(await consumeAll(kafka.brokers, topic, 1)).toEqual(["before restart"]);

    await kafka.restart();
    await produce(kafka.brokers, topic, "after restart");
    await kafka.kill();
    await kafka.restart();

    expect(await consumeAll(kafka.brokers, topic, 2)).toEqual(["before restart", "after restart"]);
    await kafka.stop();
    // Three JVM starts: ~10 s each on a quiet machine, over 40 s each beside a CPU hog and other test runs.
  }, 300_000);
});

async function ping(url: string): Promise<string> {
  const client = new RedisClient(url, { autoReconnect: false, connectionTimeout: 1_000 });
  try {
    return await client.ping();
  } finally {
    client.close();
  }
}

function client(brokers: string): Kafka {
  return new Kafka({ clientId: "launcher-test", brokers: [brokers], logLevel: logLevel.NOTHING });
}

async function withAdmin<T>(brokers: string, use: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function produce(brokers: string, topic: string, value: string): Promise<void> {
  const producer = client(brokers).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: "k", value }] });
  } finally {
    await producer.disconnect();
  }
}

/** Reads the topic from the start with a new group until `count` records arrived. */
async function consumeAll(brokers: string, topic: string, count: number): Promise<string[]> {
  const consumer = client(brokers).consumer({ groupId: `launcher-test-${crypto.randomUUID()}` });
  const values: string[] = [];
  const { promise: gotAll, resolve } = Promise.withResolvers<void>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? "");
        if (values.length >= count) resolve();
      },
    });
    await gotAll;
    return values;
  } finally {
    await consumer.disconnect();
  }
}
