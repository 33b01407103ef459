import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DRIVER_LOCATION_REPORTED } from "../../shared/events/driver.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { partitionFor } from "../../shared/log/partition.ts";
import { asDriver, gatewayOverEmbeddedLog, json } from "../testing.ts";

describe("POST /v1/drivers/:driverId/locations", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  test("202 with the count, and one event keyed by the driver on driver.locations", async () => {
    const now = Date.now();
    const fixes = [
      { lat: 12.9716, lng: 77.5946, recordedAt: new Date(now - 2000).toISOString(), speed: 8.2, heading: 90, accuracy: 5 },
      { lat: 12.9717, lng: 77.5949, recordedAt: new Date(now - 1000).toISOString() },
    ];
    const res = await gw.app.request("/v1/drivers/drv-42/locations", json({ fixes }, { method: "POST", headers: asDriver("drv-42") }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });

    const records = await gw.published(TOPICS.driverLocations);
    expect(records.length).toBe(1);
    const r = records[0]!;
    expect(r.key).toBe("drv-42");
    expect(r.partition).toBe(partitionFor("drv-42", 12));
    expect(r.headers.type).toBe(DRIVER_LOCATION_REPORTED);
    const env = parseEnvelope(r.value);
    expect(env.data).toEqual({ driverId: "drv-42", fixes });
    expect(env.correlationId).toBe(res.headers.get("x-request-id")!);
  });

  test("PUT status publishes driver.status.changed", async () => {
    const res = await gw.app.request(
      "/v1/drivers/drv-7/status",
      json({ status: "available", vehicleType: "sedan" }, { method: "PUT", headers: asDriver("drv-7") }),
    );
    expect(res.status).toBe(202);
    const records = await gw.published(TOPICS.driverStatus);
    expect(records.map((r) => parseEnvelope(r.value).data)).toEqual([
      expect.objectContaining({ driverId: "drv-7", status: "available", vehicleType: "sedan" }),
    ]);
  });
});
