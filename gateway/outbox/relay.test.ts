import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { Registry } from "prom-client";
import { createEmbeddedLog } from "../../shared/log/embedded/embedded-log.ts";
import type { EventLog, OutgoingRecord, Publisher } from "../../shared/log/event-log.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { until } from "../../tests/support/until.ts";
import type { IdempotencyStore } from "../idempotency/idempotency-store.ts";
import { openIdempotencyStore } from "../idempotency/libsql-idempotency-store.ts";
import { deliver } from "./deliver.ts";
import { outboxReadiness } from "./outbox-readiness.ts";
import { startOutboxRelay } from "./relay.ts";

const TOPIC = "outbox-test";
const down: Publisher = { publish: () => Promise.reject(new Error("connection refused")), close: async () => {} };

describe("outbox relay over a libSQL outbox and the embedded log", () => {
  let dir: string;
  let store: IdempotencyStore;
  let log: EventLog;
  afterEach(async () => {
    await log.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp() {
    dir = mkdtempSync(join(tmpdir(), "fleet-outbox-"));
    store = await openIdempotencyStore({ url: `file:${join(dir, "gateway.db")}` });
    log = await createEmbeddedLog({ url: `file:${join(dir, "log.db")}` });
    await log
      .admin()
      .ensureTopics([
        { name: TOPIC, partitions: 1, retentionMs: 86_400_000, cleanupPolicy: "delete", keyField: "id", description: "test" },
      ]);
  }

  const remember = (key: string) =>
    store.remember({
      operation: "op",
      scope: "s",
      key,
      fingerprint: key,
      response: {},
      record: { topic: TOPIC, key: `k-${Number(key) % 3}`, value: key },
    });

  async function published(): Promise<string[]> {
    const got: string[] = [];
    const sub = await log.subscriber().subscribe({
      group: `probe-${crypto.randomUUID()}`,
      topics: [TOPIC],
      handler: async (b) => void got.push(...b.records.map((r) => r.value)),
    });
    const end = (await log.admin().lag("x", [TOPIC])).reduce((n, p) => n + p.end, 0);
    const deadline = Date.now() + 5000;
    while (got.length < end && Date.now() < deadline) await Bun.sleep(10);
    await sub.stop();
    return got;
  }

  test("deliver leaves entries pending while the broker is down, and behind a backlog; the relay publishes them in order, once; the gauge and readiness follow", async () => {
    await setUp();
    for (let i = 0; i < 5; i++) {
      const r = await remember(String(i));
      if (r.kind === "conflict") throw new Error("conflict");
      expect(await deliver(r, { publisher: down, outbox: store.outbox })).toBe(false);
    }
    // Once older entries belong to the relay, a working publisher is not used: nothing may overtake them.
    const late = await remember("5");
    if (late.kind === "conflict") throw new Error("conflict");
    const direct: OutgoingRecord[] = [];
    const spy: Publisher = { publish: async (rs) => void direct.push(...rs), close: async () => {} };
    expect(await deliver(late, { publisher: spy, outbox: store.outbox }, { publishTimeoutMs: 2000, handOverAfterMs: 0 })).toBe(false);
    expect(direct).toEqual([]);
    expect(await store.outbox.depth()).toBe(6);
    await expect(outboxReadiness(store.outbox, 5)()).rejects.toThrow("outbox holds 6 unpublished records");

    const registry = new Registry();
    const failing = startOutboxRelay({
      outbox: store.outbox,
      publisher: down,
      logger: silentLogger(),
      registry,
      handOverAfterMs: 0,
      idleMs: 20,
    });
    await Bun.sleep(200);
    await failing.stop();
    expect(await store.outbox.depth()).toBe(6);

    const relay = startOutboxRelay({
      outbox: store.outbox,
      publisher: log.publisher(),
      logger: silentLogger(),
      registry,
      handOverAfterMs: 0,
      idleMs: 20,
      batchSize: 2,
    });
    const deadline = Date.now() + 5000;
    while ((await store.outbox.depth()) > 0 && Date.now() < deadline) await Bun.sleep(20);
    await Bun.sleep(60);
    await relay.stop();
    expect(await published()).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(await outboxReadiness(store.outbox, 5)()).toBeUndefined();
    expect(await registry.getSingleMetricAsString("fleet_gateway_outbox_depth")).toContain("fleet_gateway_outbox_depth 0");
  });

  test("the relay deletes entries published longer ago than it keeps them, never pending ones", async () => {
    await setUp();
    const [a, b] = [await remember("1"), await remember("2")];
    if (a.kind === "conflict" || b.kind === "conflict") throw new Error("conflict");
    await store.outbox.markPublished([a.outbox.seq]);
    // Counted through a connection of the test's own: the port has no read of published entries.
    const reader = createClient({ url: `file:${join(dir, "gateway.db")}` });
    const rows = async () =>
      (await reader.execute("SELECT value, published_at IS NOT NULL AS published FROM gateway_outbox ORDER BY seq")).rows.map((r) => [
        r.value,
        Number(r.published),
      ]);
    try {
      expect(await rows()).toEqual([
        ["1", 1],
        ["2", 0],
      ]);
      // A keep of "-1 s": the entry acked moments ago is already past it.
      const relay = startOutboxRelay({
        outbox: store.outbox,
        publisher: down,
        logger: silentLogger(),
        registry: new Registry(),
        handOverAfterMs: 60_000,
        keepPublishedMs: -1_000,
        pruneIntervalMs: 20,
      });
      await until(rows, (r) => r.length === 1, "the published entry pruned");
      await relay.stop();
      expect(await rows()).toEqual([["2", 0]]);
    } finally {
      reader.close();
    }
  });

  test("deliver publishes at once when nothing is pending, and gives up waiting after the publish timeout", async () => {
    await setUp();
    const first = await remember("1");
    if (first.kind === "conflict") throw new Error("conflict");
    expect(await deliver(first, { publisher: log.publisher(), outbox: store.outbox })).toBe(true);
    await until(
      () => store.outbox.depth(),
      (n) => n === 0,
      "the acked entry marked published",
    );

    const second = await remember("2");
    if (second.kind === "conflict") throw new Error("conflict");
    let ack: () => void = () => {};
    const slow: Publisher = { publish: () => new Promise<void>((resolve) => (ack = resolve)), close: async () => {} };
    const started = Date.now();
    expect(await deliver(second, { publisher: slow, outbox: store.outbox }, { publishTimeoutMs: 100, handOverAfterMs: 200 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await store.outbox.depth()).toBe(1);
    // A late ack still marks the entry: the relay will not publish it again.
    ack();
    await Bun.sleep(50);
    expect(await store.outbox.depth()).toBe(0);
  });
});
