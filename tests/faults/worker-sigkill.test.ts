import { expect, setDefaultTimeout, test } from "bun:test";
import { until } from "../support/until.ts";
import { countingScenario } from "./support/counting-scenario.ts";
import { effectCounts, lagOf, publishAll, rowCount, uniqueEvents } from "./support/effects.ts";
import { appliedTotals, type SpawnedProcess, spawnCountingWorker } from "./support/processes.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(150_000);

const N = 20_000;
const s = countingScenario("sigkill", { partitions: 6 });
const { topic: TOPIC, group: GROUP, url } = s;

test("a. worker process SIGKILLed 3× mid-batch during a 20,000-event run: every acked event applied exactly once", async () => {
  const started = performance.now();
  const { ids, records } = uniqueEvents(TOPIC, N);
  // Events keep arriving through the kills, as they would in production.
  let stopPublishing = false;
  const publishing = publishAll(s.log, records, { chunk: 250, perSecond: 2_000, stop: () => stopPublishing });
  const rows = () => rowCount(s.reader, "SELECT count(*) FROM counted_effects");
  const spawn = (delays: { inTxMs?: number; afterTxMs?: number }) =>
    spawnCountingWorker({ brokers: s.kafka.brokers, topic: TOPIC, group: GROUP, url, ...delays });
  const workers: SpawnedProcess[] = [];
  const killedAt: number[] = [];
  const sigkill = async (w: SpawnedProcess) => {
    const code = await w.kill("SIGKILL");
    expect(w.proc.signalCode).toBe("SIGKILL");
    expect(code).not.toBe(0);
    killedAt.push(await rows());
  };

  try {
    // 1: each transaction held open 20 ms, so the kill lands inside one (effects + ids uncommitted).
    workers.push(spawn({ inTxMs: 20 }));
    await until(rows, (n) => n >= 2_000, "2,000 effects from worker 1", 60_000);
    await sigkill(workers[0]!);
    // 2: 40 ms between a committed transaction and its offset commit, so the kill lands there (effects committed, offsets not).
    workers.push(spawn({ afterTxMs: 40 }));
    await until(rows, (n) => n >= killedAt[0]! + 3_000, "3,000 more effects from worker 2", 60_000);
    await sigkill(workers[1]!);
    // 3: killed right after its first batch, while it is still re-reading what worker 2 left uncommitted.
    workers.push(spawn({}));
    await workers[2]!.waitForLine((l) => l.includes('"msg":"applied"'));
    await sigkill(workers[2]!);
    expect(killedAt[2]!).toBeLessThan(N);

    // 4: runs to the end and stops cleanly.
    workers.push(spawn({}));
    const acked = await publishing;
    expect(acked).toBe(N);
    await until(
      async () => [await rows(), await lagOf(s.log, GROUP, [TOPIC])],
      ([n, lag]) => n! >= N && lag === 0,
      "the last worker to catch up",
      90_000,
    );
    // A late redelivery would add a row in this window.
    await Bun.sleep(1_000);
    expect(await workers[3]!.kill("SIGTERM")).toBe(0);

    const effects = await effectCounts(s.reader, "counted_effects", "event_id", ids);
    const marked = await rowCount(s.reader, `SELECT count(*) FROM processed_events WHERE consumer_group = '${GROUP}'`);
    const lag = await lagOf(s.log, GROUP, [TOPIC]);
    const dlq = await s.dlqCount();
    const { skipped } = appliedTotals(workers);
    console.log(
      `[faults a] acked ${acked}, SIGKILLs at ${killedAt.join(" / ")} effects, rows ${effects.rows}, distinct ${effects.distinct}, missing ${effects.missing}, unknown ${effects.unknown}, processed_events ${marked}, redelivered-and-skipped ${skipped}, dlq ${dlq}, lag ${lag}, total ${Math.round(performance.now() - started)} ms`,
    );
    expect({ ...effects, marked, dlq, lag }).toEqual({ rows: N, distinct: N, missing: 0, unknown: 0, marked: N, dlq: 0, lag: 0 });
  } finally {
    stopPublishing = true;
    await publishing;
    await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  }
});
