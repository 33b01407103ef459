import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insertRows } from "../../shared/db/insert-rows.ts";
import { migrateDb } from "../../shared/db/migrate.ts";
import { openLibsql } from "../../shared/db/open-libsql.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import { dlqTopicOf, type TopicSpec } from "../../shared/events/topics.ts";
import type { DeliveredRecord, EventLog, OutgoingRecord } from "../../shared/log/event-log.ts";
import { partitionFor } from "../../shared/log/partition.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { createRegistry, metricValue } from "../../shared/metrics/registry.ts";
import { applyOnce } from "./apply-once.ts";
import { DLQ_HEADERS } from "./dead-letter.ts";
import type { ConsumedEvent, Handler } from "./handler.ts";
import { runWorker, type WorkerOptions } from "./run-worker.ts";

/**
 * The worker runtime over a real EventLog: every adapter's runtime test calls this.
 * The runtime only uses the port, so these scenarios must hold on each of them.
 */
export interface WorkerRuntimeContractOptions {
  name: string;
  /** A new client on the log under test (a temp file, or the test brokers). */
  create: () => Promise<EventLog>;
}

const PARTITIONS = 3;
const uniq = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
const spec = (name: string, partitions: number): TopicSpec => ({
  name,
  partitions,
  retentionMs: 3_600_000,
  cleanupPolicy: "delete",
  keyField: "k",
  description: "runtime contract",
});

type Data = { i: number; poison?: boolean; late?: boolean };
const dataOf = (e: ConsumedEvent) => e.data as Data;

function event(topic: string, key: string, data: Data, id?: string): OutgoingRecord {
  const envelope = createEnvelope({ type: "contract.happened", key, source: "runtime-contract", data, id });
  return { topic, key, value: JSON.stringify(envelope), headers: { ...envelopeHeaders(envelope), origin: "contract" } };
}

/** Keys that land on each partition, so scenarios can aim at one. */
function keysOn(partition: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (partitionFor(`key-${i}`, PARTITIONS) === partition) out.push(`key-${i}`);
  return out;
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(25);
  }
}

export function runWorkerRuntimeContract(opts: WorkerRuntimeContractOptions): void {
  describe(`worker runtime contract: ${opts.name}`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    async function setup() {
      const log = await opts.create();
      cleanups.push(() => log.close());
      const topic = uniq("runtime");
      await log.admin().ensureTopics([spec(topic, PARTITIONS), spec(dlqTopicOf(topic), 1)]);
      return { log, topic, group: uniq("group"), registry: createRegistry() };
    }

    async function start<D>(o: Omit<WorkerOptions<D>, "logger" | "lagIntervalMs"> & { lagIntervalMs?: number }) {
      const worker = await runWorker({ logger: silentLogger(), lagIntervalMs: 200, ...o });
      cleanups.push(() => worker.stop());
      return worker;
    }

    async function collectDlq(log: EventLog, topic: string): Promise<DeliveredRecord[]> {
      const got: DeliveredRecord[] = [];
      const sub = await log
        .subscriber()
        .subscribe({ group: uniq("dlq-reader"), topics: [dlqTopicOf(topic)], handler: async (b) => void got.push(...b.records) });
      cleanups.push(() => sub.stop());
      return got;
    }

    test("a poison record goes to <topic>.dlq after N attempts, intact, while the rest of its partition and the others flow", async () => {
      const { log, topic, group, registry } = await setup();
      const [poisonKey, ...sameKeys] = keysOn(0, 3) as [string, ...string[]];
      const otherKeys = [...keysOn(1, 2), ...keysOn(2, 2)];
      const keys = [poisonKey, ...sameKeys, ...otherKeys];
      const sent = Array.from({ length: 42 }, (_, i) => event(topic, keys[i % keys.length]!, { i, poison: i === 7 }));
      const malformed: OutgoingRecord = { topic, key: otherKeys[0]!, value: "{not json", headers: { origin: "contract" } };
      await log.publisher().publish([...sent, malformed]);

      const applied: ConsumedEvent[] = [];
      let poisonSeenAt = 0;
      let poisonOffset = -1;
      const lateHandledAfter: number[] = [];
      const handler: Handler<object> = async (events) => {
        const poisoned = events.find((e) => dataOf(e).poison);
        if (poisoned) {
          poisonSeenAt ||= Date.now();
          poisonOffset = poisoned.record.offset;
          throw new Error("cannot handle event 7");
        }
        for (const e of events) if (dataOf(e).late) lateHandledAfter.push(Date.now() - poisonSeenAt);
        applied.push(...events);
      };
      const dlq = await collectDlq(log, topic);
      await start({
        log,
        group,
        topics: [topic],
        handler,
        deps: {},
        registry,
        retry: { maxAttempts: 3, backoff: { baseMs: 800, capMs: 800 } },
      });

      // Events for the other partitions published while event 7 waits between its attempts.
      await until(() => poisonSeenAt > 0, 30_000, "the poison record to be tried");
      await log.publisher().publish(otherKeys.map((k, j) => event(topic, k, { i: 100 + j, late: true })));
      await until(
        () => dlq.length >= 2 && new Set(applied.map((e) => dataOf(e).i)).size >= 41 + otherKeys.length,
        30_000,
        "dead letters and every other event",
      );
      const retryLasted = Date.now() - poisonSeenAt;
      await Bun.sleep(300);
      console.log(
        `[${opts.name}] poison retried for ${retryLasted} ms (3 attempts); events for other partitions published meanwhile were handled ${lateHandledAfter.join(", ")} ms after the first failure`,
      );
      // Only the failing partition waits: the others' new events did not wait for the retry to end.
      expect(retryLasted).toBeGreaterThanOrEqual(800);
      expect(Math.max(...lateHandledAfter)).toBeLessThan(retryLasted / 2);

      expect(dlq.length).toBe(2);
      const poison = dlq.find((r) => r.key === poisonKey)!;
      const original = sent[7]!;
      expect(poison.value).toBe(original.value);
      expect(poison.headers).toMatchObject({
        ...original.headers,
        [DLQ_HEADERS.errorName]: "Error",
        [DLQ_HEADERS.errorMessage]: "cannot handle event 7",
        [DLQ_HEADERS.attempts]: "3",
        [DLQ_HEADERS.group]: group,
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: "0",
      });
      expect(poisonOffset).toBe(3); // partition 0 holds keys[0..2]: events 0, 1, 2, then 7
      expect(poison.headers[DLQ_HEADERS.offset]).toBe(String(poisonOffset));
      expect(new Date(poison.headers[DLQ_HEADERS.failedAt]!).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const bad = dlq.find((r) => r.value === malformed.value)!;
      expect(bad.headers).toMatchObject({ origin: "contract", [DLQ_HEADERS.errorName]: "NonRetriableError", [DLQ_HEADERS.attempts]: "1" });

      const firstSeen = new Map<number, ConsumedEvent>();
      for (const e of applied) if (!firstSeen.has(dataOf(e).i)) firstSeen.set(dataOf(e).i, e);
      expect([...firstSeen.keys()].filter((i) => i < 100).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 42 }, (_, i) => i).filter((i) => i !== 7),
      );
      for (const key of keys) {
        const offsets = [...firstSeen.values()].filter((e) => e.record.key === key).map((e) => e.record.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      const v = (name: string) => metricValue(registry, name, { group, topic });
      expect(await v("fleet_events_dead_lettered_total")).toBe(2);
      expect(await v("fleet_events_processed_total")).toBeGreaterThanOrEqual(41 + otherKeys.length);
      expect(await v("fleet_events_retried_total")).toBeGreaterThanOrEqual(2);
      expect(await v("fleet_events_failed_total")).toBeGreaterThanOrEqual(4);
    });

    test("a dependency down for ~1 s is retried, never dead-lettered, and nothing is lost", async () => {
      const { log, topic, group, registry } = await setup();
      await log.publisher().publish(Array.from({ length: 150 }, (_, i) => event(topic, `driver-${i % 15}`, { i })));
      let downUntil = 0;
      let firstTry = 0;
      let firstSuccess = 0;
      const applied = new Set<number>();
      const handler: Handler<object> = async (events) => {
        firstTry ||= Date.now();
        downUntil ||= Date.now() + 1000;
        if (Date.now() < downUntil) throw new Error("Failed query", { cause: new RetryableError("libSQL unreachable") });
        firstSuccess ||= Date.now();
        for (const e of events) applied.add(dataOf(e).i);
      };
      await start({
        log,
        group,
        topics: [topic],
        handler,
        deps: {},
        registry,
        retry: { maxAttempts: 1, outageBackoff: { baseMs: 50, capMs: 200 } },
      });
      await until(() => applied.size >= 150, 30_000, "all 150 events after the outage");
      await until(async () => (await log.admin().lag(group, [topic])).every((p) => p.lag === 0), 30_000, "the group to commit everything");

      expect(firstSuccess - firstTry).toBeGreaterThanOrEqual(950);
      const dlqEnd = (await log.admin().lag(uniq("nobody"), [dlqTopicOf(topic)])).reduce((n, p) => n + p.end, 0);
      expect(dlqEnd).toBe(0);
      const v = (name: string) => metricValue(registry, name, { group, topic });
      expect(await v("fleet_events_dead_lettered_total")).toBe(0);
      expect(await v("fleet_events_retried_total")).toBeGreaterThan(0);
      expect(await v("fleet_events_processed_total")).toBeGreaterThanOrEqual(150);
    });

    test("redelivered events (same id published twice, then a replay from earliest) apply once through applyOnce", async () => {
      const { log, topic, group, registry } = await setup();
      const dir = mkdtempSync(join(tmpdir(), "fleet-runtime-contract-"));
      const db = await openLibsql({ url: `file:${join(dir, "history.db")}` });
      cleanups.push(
        () => rmSync(dir, { recursive: true, force: true }),
        () => db.close(),
      );
      await migrateDb(db);
      await db.client.execute("CREATE TABLE contract_effects (event_id TEXT NOT NULL, i INTEGER NOT NULL)");

      const unique = Array.from({ length: 150 }, (_, i) => event(topic, `order-${i % 20}`, { i }));
      await log.publisher().publish([...unique, ...unique.slice(40, 90)]);
      const handler: Handler<{ db: typeof db }> = async (events, deps) => {
        await applyOnce(deps.db, group, events, (tx, fresh) =>
          insertRows(tx, { table: "contract_effects", columns: ["event_id", "i"], rows: fresh.map((e) => [e.id, dataOf(e).i]) }),
        );
      };
      const caughtUp = async () => (await log.admin().lag(group, [topic])).every((p) => p.committed === p.end && p.lag === 0);
      const first = await start({ log, group, topics: [topic], handler, deps: { db }, registry });
      await until(caughtUp, 30_000, "the group to consume all 200 records");
      await until(
        async () => (await metricValue(registry, "fleet_consumer_lag", { group, topic, partition: 0 })) === 0,
        10_000,
        "the lag gauge to read 0",
      );
      await first.stop();

      await log.admin().resetOffsets(group, topic, { to: "earliest" });
      expect((await log.admin().lag(group, [topic])).reduce((n, p) => n + p.lag, 0)).toBe(200);
      await start({ log, group, topics: [topic], handler, deps: { db }, registry });
      await until(caughtUp, 30_000, "the replay to finish");

      const rs = await db.client.execute("SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM contract_effects");
      expect([Number(rs.rows[0]!.n), Number(rs.rows[0]!.d)]).toEqual([150, 150]);
      const marked = await db.client.execute({ sql: "SELECT count(*) AS n FROM processed_events WHERE consumer_group = ?", args: [group] });
      expect(Number(marked.rows[0]!.n)).toBe(150);
      expect(await metricValue(registry, "fleet_events_processed_total", { group, topic })).toBeGreaterThanOrEqual(400);
      const text = await registry.metrics();
      for (let p = 0; p < PARTITIONS; p++) expect(text).toContain(`fleet_consumer_lag{group="${group}",topic="${topic}",partition="${p}"}`);
    });
  });
}
