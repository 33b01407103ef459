import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asOperator, gatewayOverEmbeddedLog } from "../testing.ts";

describe("driver read routes reject bad queries with 4xx problem+json naming the parameter", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  /** 400: the query string is malformed; 422: well-formed but not acceptable (a cursor that is not ours). */
  const cases: [string, string, number?][] = [
    ["/v1/drivers/nearby?lat=91&lng=0&vehicleType=sedan", "lat"],
    ["/v1/drivers/nearby?lat=-89&lng=0&vehicleType=sedan", "lat"],
    ["/v1/drivers/nearby?lat=NaN&lng=0&vehicleType=sedan", "lat"],
    ["/v1/drivers/nearby?lat=1e400&lng=0&vehicleType=sedan", "lat"],
    ["/v1/drivers/nearby?lat=1&vehicleType=sedan", "lng"],
    ["/v1/drivers/nearby?lat=1&lng=2&vehicleType=spaceship", "vehicleType"],
    ["/v1/drivers/nearby?lat=1&lng=2&vehicleType=sedan&radiusM=999999", "radiusM"],
    ["/v1/drivers/nearby?lat=1&lng=2&vehicleType=sedan&limit=0", "limit"],
    ["/v1/drivers/nearby?lat=1&lng=2&vehicleType=sedan&limit=2.5", "limit"],
    ["/v1/drivers/nearby?lat=1&lng=2&vehicleType=sedan&colour=red", "colour"],
    ["/v1/drivers/d1/trail?from=yesterday", "from"],
    ["/v1/drivers/d1/trail?limit=100000", "limit"],
    ["/v1/drivers/d1/trail?cursor=bm90LW91cnM", "cursor", 422],
  ];
  for (const [url, field, status = 400] of cases) {
    test(`${url} → ${field}`, async () => {
      const res = await gw.app.request(url, { headers: asOperator() });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const p = (await res.json()) as { errors: { field: string }[] };
      expect(p.errors.map((e) => e.field)).toContain(field);
    });
  }
});
