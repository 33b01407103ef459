import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { outboxReadiness } from "../gateway/outbox/outbox-readiness.ts";
import { startOutboxRelay } from "../gateway/outbox/relay.ts";
import { gatewayOverEmbeddedLog } from "../gateway/testing.ts";
import { bookingIdForRequest, requestedEventId } from "../shared/booking/ids.ts";
import { parseEnvelope } from "../shared/events/envelope.ts";
import type { EventLog, Publisher } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv, uniqueName } from "../shared/log/kafka/kafka-test-env.ts";
import { silentLogger } from "../shared/logging/logger.ts";
import { asCustomerClient } from "./support/api-client.ts";

setDefaultTimeout(60_000);

/**
 * Bookings while the broker is down: the gateway answers 202 from its libSQL outbox,
 * and a relay with a working Kafka publisher later delivers each event exactly once,
 * in order. "Down" is a real Kafka publisher that was closed; records go to a unique
 * one-partition topic so the order and count are this test's alone.
 */
describe("gateway outbox against real Kafka", () => {
  const customerId = uniqueName("cust");
  const topic = uniqueName("outbox-bookings");
  let kafka: EventLog;
  let dead: EventLog;
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  const body = {
    customerId,
    pickup: { lat: 12.9716, lng: 77.5946 },
    dropoff: { lat: 12.9352, lng: 77.6245 },
    vehicleType: "sedan" as const,
  };
  const toTestTopic = (p: Publisher): Publisher => ({
    publish: (rs) => p.publish(rs.map((r) => ({ ...r, topic }))),
    close: () => p.close(),
  });

  beforeAll(async () => {
    const brokers = brokersFromEnv();
    kafka = await createKafkaLog({ brokers, clientId: uniqueName("outbox-live") });
    await kafka.admin().ensureTopics([
      {
        name: topic,
        partitions: 1,
        retentionMs: 3_600_000,
        cleanupPolicy: "delete",
        keyField: "bookingId",
        description: "gateway outbox test",
      },
    ]);
    dead = await createKafkaLog({ brokers, clientId: uniqueName("outbox-dead") });
    await dead.publisher().close();
    gw = await gatewayOverEmbeddedLog({ publisher: toTestTopic(dead.publisher()) });
  });
  afterAll(async () => {
    await gw.close();
    await dead.close();
    await kafka.close();
  });

  test("202s while the broker is down; replays add nothing; readiness fails over the threshold; the relay then delivers each event once, in order", async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `key-${i}`);
    const customer = asCustomerClient(gw.app, customerId);
    const book = (key: string) => customer.POST("/v1/bookings", { params: { header: { "Idempotency-Key": key } }, body });
    for (const key of keys) expect((await book(key)).response.status).toBe(202);
    const replay = await book(keys[3]!);
    expect(replay.response.status).toBe(202);
    expect(replay.response.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.data).toMatchObject({ bookingId: bookingIdForRequest(customerId, keys[3]!) });
    expect(await gw.idempotency.outbox.depth()).toBe(keys.length);
    await expect(outboxReadiness(gw.idempotency.outbox, 5)()).rejects.toThrow("more than 5");

    const relay = startOutboxRelay({
      outbox: gw.idempotency.outbox,
      publisher: toTestTopic(kafka.publisher()),
      logger: silentLogger(),
      registry: gw.deps.registry,
      handOverAfterMs: 0,
      batchSize: 3,
    });
    const deadline = Date.now() + 30_000;
    while ((await gw.idempotency.outbox.depth()) > 0 && Date.now() < deadline) await Bun.sleep(50);
    await relay.stop();
    expect(await gw.idempotency.outbox.depth()).toBe(0);
    await outboxReadiness(gw.idempotency.outbox, 5)();

    const got: string[] = [];
    const sub = await kafka.subscriber().subscribe({
      group: uniqueName("outbox-probe"),
      topics: [topic],
      handler: async (b) => void got.push(...b.records.map((r) => parseEnvelope(r.value).id)),
    });
    const readBy = Date.now() + 30_000;
    while (got.length < keys.length && Date.now() < readBy) await Bun.sleep(50);
    await Bun.sleep(1000); // a duplicate would arrive in this window
    await sub.stop();
    expect(got).toEqual(keys.map((k) => requestedEventId(bookingIdForRequest(customerId, k))));
  });
});
