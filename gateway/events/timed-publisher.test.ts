import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { TOPICS } from "../../shared/events/topics.ts";
import { gatewayOverEmbeddedLog } from "../testing.ts";
import { timedPublisher } from "./timed-publisher.ts";

describe("timedPublisher", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  test("counts acked publishes per topic and failed ones by error name, and still delivers", async () => {
    const registry = new Registry();
    const pub = timedPublisher(gw.log.publisher(), registry);
    await pub.publish([{ topic: TOPICS.driverStatus, key: "d1", value: "{}" }]);
    await pub.publish([{ topic: TOPICS.driverStatus, key: "d2", value: "{}" }]);
    await expect(pub.publish([{ topic: "no-such-topic", key: "k", value: "{}" }])).rejects.toThrow();
    const text = await registry.metrics();
    expect(text).toContain('fleet_publish_duration_seconds_count{topic="driver.status",outcome="acked"} 2');
    expect(text).toMatch(/fleet_publish_duration_seconds_count\{topic="no-such-topic",outcome="[A-Za-z]+"\} 1/);
    expect((await gw.published(TOPICS.driverStatus)).length).toBe(2);
  });
});
