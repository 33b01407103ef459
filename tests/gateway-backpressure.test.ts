import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { gatewayOverEmbeddedLog } from "../gateway/testing.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../shared/events/topics.ts";
import type { EventLog } from "../shared/log/event-log.ts";
import { createKafkaLog } from "../shared/log/kafka/kafka-log.ts";
import { brokersFromEnv } from "../shared/log/kafka/kafka-test-env.ts";
import { asDriverClient } from "./support/api-client.ts";

setDefaultTimeout(60_000);

/**
 * The gateway over the real Kafka publisher with a tiny buffer: fixes beyond it get
 * 503 + Retry-After, and exactly the 202'd requests reach the broker.
 */
describe("a full producer buffer answers 503 with Retry-After and publishes nothing for it", () => {
  let kafka: EventLog;
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    // Records wait 200 ms for a batch, so concurrent requests find the 4-record buffer full.
    kafka = await createKafkaLog({
      brokers: brokersFromEnv(),
      clientId: "backpressure-test",
      maxBufferedRecords: 4,
      lingerMs: 200,
      flushAtRecords: 1000,
    });
    await kafka.admin().ensureTopics(TOPIC_CATALOGUE);
    gw = await gatewayOverEmbeddedLog({ publisher: kafka.publisher() });
  });
  afterAll(async () => {
    await gw.close();
    await kafka.close();
  });

  const endOffsets = async () => (await kafka.admin().lag("backpressure-probe", [TOPICS.driverLocations])).reduce((s, p) => s + p.end, 0);

  test("40 concurrent fix posts: 4 accepted, 36 refused with 503 + Retry-After", async () => {
    const before = await endOffsets();
    const post = async (driverId: string) => {
      const body = { fixes: [{ lat: 12.97, lng: 77.59, recordedAt: new Date().toISOString() }] };
      return (await asDriverClient(gw.app, driverId).POST("/v1/drivers/{driverId}/locations", { params: { path: { driverId } }, body }))
        .response;
    };
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => post(`bp-${i}`)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202).length).toBe(4);
    expect(statuses.filter((s) => s === 503).length).toBe(36);
    const refused = responses.find((r) => r.status === 503)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await endOffsets()).toBe(before + 4);

    const later = await post("bp-later");
    expect(later.status).toBe(202);
  });
});
