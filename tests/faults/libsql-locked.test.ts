import { beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { createClient } from "@libsql/client";
import { MIN_BUSY_TIMEOUT_MS, openLibsql } from "../../shared/db/open-libsql.ts";
import { until } from "../support/until.ts";
import { countingScenario } from "./support/counting-scenario.ts";
import { effectCounts, lagOf, publishAll, rowCount, uniqueEvents } from "./support/effects.ts";
import { type SpawnedProcess, spawnCountingWorker } from "./support/processes.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(150_000);

const N = 8_000;
/** Longer than the workers' busy timeout: their BEGIN IMMEDIATE fails with SQLITE_BUSY (the case of libsql-client-ts#352). */
const LONG_LOCK_MS = MIN_BUSY_TIMEOUT_MS + 3_000;
/** Shorter than it: their writes wait and then go through. */
const SHORT_LOCK_MS = 2_000;
const s = countingScenario("locked", { partitions: 6 });
const { topic: TOPIC, group: GROUP, url } = s;

beforeAll(async () => void (await s.reader.client.execute("CREATE TABLE lock_holder (at INTEGER NOT NULL)")));

/**
 * Another process's connection (a raw libSQL client, as an operator's tool or a second
 * writer would have) takes the write lock with BEGIN IMMEDIATE, writes, and holds it.
 */
async function holdWriteLock(ms: number): Promise<number> {
  // It waits its turn like any writer (the worker commits often), then keeps the lock for `ms`.
  const other = createClient({ url, timeout: 10_000 });
  try {
    const tx = await other.transaction("write");
    const took = performance.now();
    await tx.execute({ sql: "INSERT INTO lock_holder (at) VALUES (?)", args: [Date.now()] });
    await Bun.sleep(ms);
    await tx.commit();
    return performance.now() - took;
  } finally {
    other.close();
  }
}

test("f. libSQL file locked by another connection during a run: SQLITE_BUSY is retried on a fresh client and no write is silently lost", async () => {
  const started = performance.now();
  const { ids, records } = uniqueEvents(TOPIC, N);
  let stopPublishing = false;
  const publishing = publishAll(s.log, records, { chunk: 200, perSecond: 800, stop: () => stopPublishing });
  const rows = () => rowCount(s.reader, "SELECT count(*) FROM counted_effects");
  const workers: SpawnedProcess[] = [spawnCountingWorker({ brokers: s.kafka.brokers, topic: TOPIC, group: GROUP, url })];
  const busyLines = () => workers.flatMap((w) => w.lines).filter((l) => l.includes("retrying") && /busy/i.test(l)).length;
  try {
    await until(rows, (n) => n >= 1_000, "1,000 effects before the lock", 60_000);
    const beforeLong = await rows();
    const longHeldMs = await holdWriteLock(LONG_LOCK_MS);
    const afterLong = await rows();
    await until(busyLines, (n) => n > 0, "the worker to report SQLITE_BUSY and retry", 15_000);
    await until(rows, (n) => n >= afterLong + 1_000, "1,000 effects after the long lock", 60_000);
    const shortHeldMs = await holdWriteLock(SHORT_LOCK_MS);

    const acked = await publishing;
    await until(
      async () => [await rows(), await lagOf(s.log, GROUP, [TOPIC])],
      ([n, lag]) => n! >= N && lag === 0,
      "the worker to catch up",
      60_000,
    );
    // Writes that "succeeded" on a connection stuck in a dead transaction would vanish here: a fresh process and a fresh reader count again.
    expect(await workers[0]!.kill("SIGTERM")).toBe(0);
    workers.push(spawnCountingWorker({ brokers: s.kafka.brokers, topic: TOPIC, group: GROUP, url }));
    await workers[1]!.waitForLine((l) => l.includes('"msg":"worker started"'));
    await Bun.sleep(2_000);
    expect(await workers[1]!.kill("SIGTERM")).toBe(0);

    const fresh = await openLibsql({ url });
    const effects = await effectCounts(fresh, "counted_effects", "event_id", ids);
    const marked = await rowCount(fresh, `SELECT count(*) FROM processed_events WHERE consumer_group = '${GROUP}'`);
    fresh.close();
    const lag = await lagOf(s.log, GROUP, [TOPIC]);
    const dlq = await s.dlqCount();
    const busy = busyLines();
    console.log(
      `[faults f] acked ${acked}; write lock held ${Math.round(longHeldMs)} ms at ${beforeLong} effects (${afterLong - beforeLong} applied meanwhile) and ${Math.round(shortHeldMs)} ms later; worker reported SQLITE_BUSY + retry ${busy}×; rows ${effects.rows}, distinct ${effects.distinct}, missing ${effects.missing}, unknown ${effects.unknown}, processed_events ${marked}, dlq ${dlq}, lag ${lag}, total ${Math.round(performance.now() - started)} ms`,
    );
    // Nothing was written while the lock was held (the reader sees only committed rows).
    expect(afterLong - beforeLong).toBeLessThan(200);
    expect(busy).toBeGreaterThan(0);
    expect({ ...effects, marked, dlq, lag }).toEqual({ rows: N, distinct: N, missing: 0, unknown: 0, marked: N, dlq: 0, lag: 0 });
  } finally {
    stopPublishing = true;
    await publishing;
    await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  }
});
