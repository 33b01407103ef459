import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, openLibsql } from "../../shared/db/open-libsql.ts";
import { TOPIC_CATALOGUE, TOPICS } from "../../shared/events/topics.ts";
import type { EventLog } from "../../shared/log/event-log.ts";
import { createKafkaLog } from "../../shared/log/kafka/kafka-log.ts";
import { selectWorkers } from "../../workers/catalogue.ts";
import { until } from "../support/until.ts";
import { committedOf, effectCounts, lagOf, publishAll, readLog, rowCount, uniqueEvents } from "./support/effects.ts";
import { describeGroup } from "./support/group-state.ts";
import { startOwnKafka } from "./support/own-kafka.ts";
import { type SpawnedProcess, spawnProcess, WORKERS_MAIN } from "./support/processes.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(150_000);

const N = 10_000;
const AUDIT = selectWorkers(["audit"])[0]!;
// Two of the audit worker's topics, so the drain covers partitions of both.
const TOPICS_USED = [TOPICS.bookings, TOPICS.notifications];
const dir = mkdtempSync(join(tmpdir(), "fleet-faults-sigterm-"));
const url = `file:${join(dir, "history.db")}`;

let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
let log: EventLog;
let reader: Db;

beforeAll(async () => {
  kafka = await startOwnKafka();
  log = await createKafkaLog({ brokers: [kafka.brokers], clientId: "faults-sigterm", logger: () => {} });
  await log.admin().ensureTopics(TOPIC_CATALOGUE);
  reader = await openLibsql({ url });
});
afterAll(async () => {
  reader?.close();
  await log?.close();
  await kafka?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** The real audit worker process, as production runs it. */
const spawnAudit = () =>
  spawnProcess([process.execPath, WORKERS_MAIN, "audit"], {
    KAFKA_BROKERS: kafka.brokers,
    LIBSQL_URL: url,
    DATA_DIR: dir,
    METRICS_PORT: "0",
    LOG_LEVEL: "info",
  });

test("b. audit worker SIGTERMed mid-run: it drains, commits and leaves; after a restart no audit row is missing or doubled", async () => {
  const started = performance.now();
  const events = TOPICS_USED.map((t) => uniqueEvents(t, N / 2, { type: "faults.audited" }));
  const ids = events.flatMap((e) => e.ids);
  // Interleaved so both topics keep flowing while the worker stops.
  const records = events[0]!.records.flatMap((r, i) => [r, events[1]!.records[i]!]);
  let stopPublishing = false;
  // A backlog first, so the stop lands while batches are in flight; the rest keeps arriving through the stop and restart.
  const half = records.length / 2;
  await publishAll(log, records.slice(0, half), { chunk: 500 });
  const publishing = publishAll(log, records.slice(half), { chunk: 200, perSecond: 1_000, stop: () => stopPublishing }).then(
    (n) => n + half,
  );
  const rows = () => rowCount(reader, "SELECT count(*) FROM audit_events");
  /**
   * What a clean stop leaves: every record below the committed offsets has its audit row
   * (nothing skipped), and every audit row's offset is below its partition's committed
   * offset (nothing applied is left to be redelivered).
   */
  const drainCheck = async () => {
    const committed = new Map((await log.admin().lag(AUDIT.group, TOPICS_USED)).map((p) => [`${p.topic}/${p.partition}`, p.committed]));
    const audited = (await reader.client.execute("SELECT event_id, topic, partition, offset FROM audit_events")).rows;
    const auditedIds = new Set(audited.map((r) => String(r.event_id)));
    const logged = await readLog(log, TOPICS_USED);
    return {
      committedNotApplied: logged.filter((r) => r.offset < (committed.get(`${r.topic}/${r.partition}`) ?? 0) && !auditedIds.has(r.id))
        .length,
      appliedNotCommitted: audited.filter((r) => Number(r.offset) >= (committed.get(`${r.topic}/${r.partition}`) ?? 0)).length,
    };
  };
  const workers: SpawnedProcess[] = [];
  try {
    workers.push(spawnAudit());
    await until(rows, (n) => n >= 1_500, "1,500 audit rows from the first worker", 60_000);
    const backlogAtTerm = await lagOf(log, AUDIT.group, TOPICS_USED);
    const termAt = performance.now();
    const code = await workers[0]!.kill("SIGTERM");
    const stopMs = performance.now() - termAt;
    expect(code).toBe(0);
    expect(workers[0]!.lines.some((l) => l.includes('"msg":"shutting down"'))).toBe(true);

    // Drained and committed: every applied row's offset is committed, so nothing will be redelivered.
    const atStop = await rows();
    // Left the group: the broker holds no member for it (not dropped later by a session timeout).
    const group = await describeGroup(kafka.brokers, AUDIT.group);
    const drain = await drainCheck();
    expect(atStop).toBeLessThan(N);
    // It was stopped mid-run: records were waiting behind the batch in flight.
    expect(backlogAtTerm).toBeGreaterThan(0);
    expect(drain).toEqual({ committedNotApplied: 0, appliedNotCommitted: 0 });
    expect(group).toEqual({ state: "Empty", members: 0 });

    const restartAt = performance.now();
    workers.push(spawnAudit());
    await until(rows, (n) => n > atStop, "the restarted worker's first row", 30_000);
    const resumeMs = performance.now() - restartAt;
    const acked = await publishing;
    await until(
      async () => [await rows(), await lagOf(log, AUDIT.group, TOPICS_USED)],
      ([n, lag]) => n! >= N && lag === 0,
      "the restarted worker to finish",
      60_000,
    );
    await Bun.sleep(500);
    expect(await workers[1]!.kill("SIGTERM")).toBe(0);

    const effects = await effectCounts(reader, "audit_events", "event_id", ids);
    const logged = await readLog(log, TOPICS_USED);
    const logDistinct = new Set(logged.map((r) => r.id)).size;
    const committed = await committedOf(log, AUDIT.group, TOPICS_USED);
    const lag = await lagOf(log, AUDIT.group, TOPICS_USED);
    console.log(
      `[faults b] acked ${acked}, SIGTERM with ${backlogAtTerm} records waiting, stopped at ${atStop} rows (exit 0 after ${Math.round(stopMs)} ms; committed-not-applied ${drain.committedNotApplied}, applied-not-committed ${drain.appliedNotCommitted}; group ${group.state}), restarted worker applying after ${Math.round(resumeMs)} ms; audit rows ${effects.rows}, distinct ${effects.distinct}, missing ${effects.missing}, unknown ${effects.unknown}, log records ${logged.length} (${logDistinct} distinct ids), committed ${committed}, lag ${lag}, total ${Math.round(performance.now() - started)} ms`,
    );
    expect({ ...effects, logDistinct, lag }).toEqual({ rows: N, distinct: N, missing: 0, unknown: 0, logDistinct: N, lag: 0 });
    expect(committed).toBe(logged.length);
    // A graceful stop is prompt: well inside the runtime's 30 s shutdown timeout.
    expect(stopMs).toBeLessThan(10_000);
  } finally {
    stopPublishing = true;
    await publishing;
    await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  }
});
