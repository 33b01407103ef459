import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import * as v from "valibot";
import { publishTimeoutMs, readyMaxConsumerLag } from "../../shared/config/env-schema.ts";
import { parseConfig } from "../../shared/config/parse-config.ts";
import { createEmbeddedLog } from "../../shared/log/embedded/embedded-log.ts";
import type { EventLog } from "../../shared/log/event-log.ts";
import { registerHealth } from "../routes/health.ts";
import { consumerLagReadiness } from "./lag-readiness.ts";

const TOPIC = "lag-readiness-test";
const groups = [
  { name: "a", group: "group-a", topics: [TOPIC] },
  { name: "b", group: "group-b", topics: [TOPIC] },
];

describe("consumerLagReadiness over the embedded log", () => {
  let dir: string;
  let log: EventLog;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fleet-lag-ready-"));
    log = await createEmbeddedLog({ url: `file:${join(dir, "log.db")}` });
    await log
      .admin()
      .ensureTopics([{ name: TOPIC, partitions: 2, retentionMs: 3_600_000, cleanupPolicy: "delete", keyField: "k", description: "test" }]);
    await log.publisher().publish(Array.from({ length: 10 }, (_, i) => ({ topic: TOPIC, key: `k${i}`, value: String(i) })));
    // group-a reads six records and commits; group-b never ran.
    await log.admin().resetOffsets("group-a", TOPIC, { to: "latest" });
  });
  afterAll(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("fails naming each group over the threshold, passes at or under it, and /readyz answers 503 then 200", async () => {
    const admin = log.admin();
    // group-a is caught up (lag 0); group-b never committed, so all 10 retained records are its lag.
    await expect(consumerLagReadiness(admin, groups, 9)()).rejects.toThrow("consumer lag over 9: group-b 10");
    expect(await consumerLagReadiness(admin, groups, 10)()).toBeUndefined();

    const readyz = (maxLag: number) => {
      const app = new Hono();
      // The checks' details are for operators (routes/health.ts).
      app.use((c, next) => {
        c.set("principal", { role: "operator", sub: "ops" });
        return next();
      });
      registerHealth(app, { readiness: { consumerLag: consumerLagReadiness(admin, groups, maxLag) } });
      return app.request("/readyz");
    };
    const notReady = await readyz(5);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { checks: Record<string, string> }).checks.consumerLag).toContain("group-b 10");
    await admin.resetOffsets("group-b", TOPIC, { to: "offset", offset: 3 });
    // Partition offsets are clamped per partition: group-b now lags 10 minus what sits below offset 3 in each.
    const lagB = (await admin.lag("group-b", [TOPIC])).reduce((n, p) => n + p.lag, 0);
    expect(lagB).toBeLessThan(10);
    expect((await readyz(lagB)).status).toBe(200);
    expect((await readyz(lagB - 1)).status).toBe(503);
  });

  test("READY_MAX_CONSUMER_LAG and PUBLISH_TIMEOUT_MS parse with defaults and reject nonsense", () => {
    const Schema = v.object({ READY_MAX_CONSUMER_LAG: readyMaxConsumerLag, PUBLISH_TIMEOUT_MS: publishTimeoutMs });
    expect(parseConfig(Schema, {})).toEqual({ READY_MAX_CONSUMER_LAG: 50_000, PUBLISH_TIMEOUT_MS: 2000 });
    expect(parseConfig(Schema, { READY_MAX_CONSUMER_LAG: "500", PUBLISH_TIMEOUT_MS: "750" })).toEqual({
      READY_MAX_CONSUMER_LAG: 500,
      PUBLISH_TIMEOUT_MS: 750,
    });
    expect(() => parseConfig(Schema, { READY_MAX_CONSUMER_LAG: "lots" })).toThrow("READY_MAX_CONSUMER_LAG");
    expect(() => parseConfig(Schema, { PUBLISH_TIMEOUT_MS: "10" })).toThrow("PUBLISH_TIMEOUT_MS");
  });
});
