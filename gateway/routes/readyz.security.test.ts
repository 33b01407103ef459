import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asDriver, asOperator, gatewayOverEmbeddedLog } from "../testing.ts";

/*
 * Issue 10, item 2: /readyz tells an anonymous caller (a load balancer) only ready or not
 * ready; which dependency fails, with its error, group names and lag, is for operators.
 */

const SECRET_DETAIL = "consumer lag over 50000: fleet-booking 81234";

describe("/readyz", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  let failing = true;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog({
      readiness: {
        eventLog: async () => {},
        consumerLag: async () => {
          if (failing) throw new Error(SECRET_DETAIL);
        },
      },
    });
  });
  afterAll(() => gw.close());

  test("anonymous: 503 with only the status, naming no dependency, group or error", async () => {
    const res = await gw.app.request("/readyz");
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: "not ready" });
    for (const leak of ["fleet-booking", "consumerLag", "eventLog", "81234"]) expect(text).not.toContain(leak);
  });

  test("a driver's token reads no more than anonymous", async () => {
    const res = await gw.app.request("/readyz", { headers: asDriver("d-1") });
    expect(await res.json()).toEqual({ status: "not ready" });
  });

  test("an operator's token reads every check and its error", async () => {
    const res = await gw.app.request("/readyz", { headers: asOperator() });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not ready", checks: { eventLog: "ok", consumerLag: `failing: ${SECRET_DETAIL}` } });
  });

  test("ready: 200 {status: ready} anonymously, with the checks for operators", async () => {
    failing = false;
    const anon = await gw.app.request("/readyz");
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ status: "ready" });
    expect(await (await gw.app.request("/readyz", { headers: asOperator() })).json()).toEqual({
      status: "ready",
      checks: { eventLog: "ok", consumerLag: "ok" },
    });
  });
});
