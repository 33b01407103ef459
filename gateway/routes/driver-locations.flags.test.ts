import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "../events/publish-event.ts";
import { asDriver, expectProblem, gatewayOverEmbeddedLog, json } from "../testing.ts";

/** GPS plausibility at the gateway (issue 6): what one fix shows is flagged on the event, never refused. */
describe("POST /v1/drivers/:driverId/locations: plausibility flags", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(
    async () =>
      void (gw = await gatewayOverEmbeddedLog({
        limits: {
          maxFixAgeMs: 3_600_000,
          staleAfterMs: 60_000,
          publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS,
          fixChecks: { maxAccuracyM: 100, serviceArea: { minLat: 12.7, minLng: 77.3, maxLat: 13.3, maxLng: 77.9 } },
        },
      })),
  );
  afterAll(() => gw.close());

  test("poor accuracy and a fix outside the service area are flagged on the event; the request is accepted whole", async () => {
    const at = (s: number) => new Date(Date.now() - 10_000 + s * 1000).toISOString();
    const fixes = [
      { lat: 12.9716, lng: 77.5946, recordedAt: at(0), accuracy: 8 },
      { lat: 12.9717, lng: 77.5947, recordedAt: at(1), accuracy: 150 },
      { lat: 19.076, lng: 72.8777, recordedAt: at(2) },
      { lat: 19.076, lng: 72.8777, recordedAt: at(3), accuracy: 1_000 },
    ];
    const res = await gw.app.request("/v1/drivers/drv-f1/locations", json({ fixes }, { method: "POST", headers: asDriver("drv-f1") }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 4 });
    const [record] = await gw.published(TOPICS.driverLocations);
    expect(parseEnvelope(record!.value).data).toEqual({
      driverId: "drv-f1",
      fixes: [
        fixes[0],
        { ...fixes[1], flags: ["accuracy"] },
        { ...fixes[2], flags: ["outside-area"] },
        { ...fixes[3], flags: ["accuracy", "outside-area"] },
      ],
    });
  });

  test("a client cannot send flags of its own", async () => {
    const fixes = [{ lat: 12.9716, lng: 77.5946, recordedAt: new Date().toISOString(), flags: ["speed"] }];
    const res = await gw.app.request("/v1/drivers/drv-f2/locations", json({ fixes }, { method: "POST", headers: asDriver("drv-f2") }));
    await expectProblem(res, 422, "fixes.0.flags");
  });
});
