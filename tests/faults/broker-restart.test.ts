import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { insertRows } from "../../shared/db/insert-rows.ts";
import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import { dlqTopicOf } from "../../shared/events/topics.ts";
import { openTempHistory } from "../../shared/history/testing.ts";
import type { EventLog, OutgoingRecord } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { silentLogger } from "../../shared/logging/logger.ts";
import { createRegistry } from "../../shared/metrics/registry.ts";
import { applyOnce } from "../../workers/runtime/apply-once.ts";
import { runWorker } from "../../workers/runtime/run-worker.ts";
import { until } from "../support/until.ts";
import { startOwnKafka } from "./support/own-kafka.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(120_000);

const N = 3_000;
const TOPIC = "faults-restart";
const GROUP = "faults-restart-counter";

let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
let log: EventLog;
let history: Awaited<ReturnType<typeof openTempHistory>>;

beforeAll(async () => {
  kafka = await startOwnKafka();
  log = await createKafkaLog({ brokers: [kafka.brokers], clientId: "faults-restart", logger: () => {} });
  await log.admin().ensureTopics(
    [TOPIC, dlqTopicOf(TOPIC)].map((name) => ({
      name,
      partitions: 3,
      retentionMs: 3_600_000,
      cleanupPolicy: "delete" as const,
      keyField: "n",
      description: "broker restart fault test",
    })),
  );
  history = await openTempHistory("fleet-faults-restart-");
  await history.db.client.execute("CREATE TABLE counted_effects (event_id TEXT NOT NULL)");
});
afterAll(async () => {
  await log?.close();
  await kafka?.dispose();
  history?.remove();
});

test("c. broker restarted under load: every acked publish has exactly one effect", async () => {
  const started = performance.now();
  const worker = await runWorker({
    log,
    group: GROUP,
    topics: [TOPIC],
    handler: async (events, deps: { db: typeof history.db }) => {
      await applyOnce(deps.db, GROUP, events, (tx, fresh) =>
        insertRows(tx, { table: "counted_effects", columns: ["event_id"], rows: fresh.map((e) => [e.id]) }),
      );
    },
    deps: { db: history.db },
    registry: createRegistry(),
    logger: silentLogger(),
    maxBatchSize: 100,
  });

  const records: OutgoingRecord[] = Array.from({ length: N }, (_, i) => {
    const e = createEnvelope({ type: "faults.counted", key: `k-${i % 50}`, data: { n: i }, source: "faults" });
    return toRecord(TOPIC, e);
  });
  const ids = records.map((r) => JSON.parse(r.value).id as string);
  let rejections = 0;
  // A client retries a rejected publish with the same event until it is acked.
  const publishUntilAcked = async (r: OutgoingRecord) => {
    for (;;) {
      try {
        return await log.publisher().publish([r]);
      } catch {
        rejections++;
        await Bun.sleep(200);
      }
    }
  };

  // 20 publishers in parallel, each paced so the restart lands mid-run.
  let next = 0;
  const clients = Array.from({ length: 20 }, async () => {
    while (next < N) {
      const r = records[next++]!;
      await publishUntilAcked(r);
      await Bun.sleep(5);
    }
  });
  await until(
    () => next,
    (n) => n >= N / 3,
    "a third of the events published",
  );
  const restartAt = next;
  const restartStarted = performance.now();
  await kafka.restart();
  const restartMs = performance.now() - restartStarted;
  await Promise.all(clients);
  const ackedMs = performance.now() - started;

  const count = async () => Number((await history.db.client.execute("SELECT count(*) AS n FROM counted_effects")).rows[0]!.n);
  await until(count, (n) => n >= N, `${N} effects`, 60_000);
  // A duplicate from a late redelivery would land in this window.
  await Bun.sleep(1_000);
  const rows = (await history.db.client.execute("SELECT event_id, count(*) AS n FROM counted_effects GROUP BY event_id")).rows;
  await worker.stop();

  const applied = new Map(rows.map((r) => [String(r.event_id), Number(r.n)]));
  const missing = ids.filter((id) => !applied.has(id)).length;
  const duplicates = [...applied.values()].filter((n) => n > 1).length;
  const unknown = [...applied.keys()].filter((id) => !ids.includes(id)).length;
  const lag = (await log.admin().lag(GROUP, [TOPIC])).reduce((s, p) => s + p.lag, 0);
  const dlq = (await log.admin().lag(`${GROUP}-dlq-probe`, [dlqTopicOf(TOPIC)])).reduce((s, p) => s + p.end, 0);
  console.log(
    `[faults c] acked ${N}, applied ${applied.size}, missing ${missing}, duplicates ${duplicates}, unknown ${unknown}, rejected-then-retried ${rejections}, dlq ${dlq}, lag ${lag}; restart at #${restartAt} took ${Math.round(restartMs)} ms, all acked after ${Math.round(ackedMs)} ms, total ${Math.round(performance.now() - started)} ms`,
  );
  expect({ applied: applied.size, missing, duplicates, unknown, dlq, lag }).toEqual({
    applied: N,
    missing: 0,
    duplicates: 0,
    unknown: 0,
    dlq: 0,
    lag: 0,
  });
});
