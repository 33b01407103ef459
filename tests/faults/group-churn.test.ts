import { expect, setDefaultTimeout, test } from "bun:test";
import { until } from "../support/until.ts";
import { countingScenario } from "./support/counting-scenario.ts";
import { effectCounts, lagOf, publishAll, rowCount, uniqueEvents } from "./support/effects.ts";
import { describeGroup } from "./support/group-state.ts";
import { appliedTotals, type SpawnedProcess, spawnCountingWorker } from "./support/processes.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout.
setDefaultTimeout(150_000);

const N = 12_000;
const s = countingScenario("churn", { partitions: 12 });
const { topic: TOPIC, group: GROUP, url } = s;

const appliedBy = (w: SpawnedProcess) => appliedTotals([w]).applied;

test("h. three workers in one group, one leaves (SIGTERM) and one joins mid-run: no event lost, none applied twice", async () => {
  const started = performance.now();
  const { ids, records } = uniqueEvents(TOPIC, N);
  let stopPublishing = false;
  let publishing: Promise<number> = Promise.resolve(0);
  const rows = () => rowCount(s.reader, "SELECT count(*) FROM counted_effects");
  // 5 ms inside each transaction: the members are busy when the group rebalances around them.
  const spawn = () => spawnCountingWorker({ brokers: s.kafka.brokers, topic: TOPIC, group: GROUP, url, inTxMs: 5 });
  const members = [spawn(), spawn(), spawn()];
  let joiner: SpawnedProcess | undefined;
  try {
    // Publish only once all three formed the group: on a busy machine the first member to
    // join would otherwise consume everything before the others start.
    await until(
      () => describeGroup(s.kafka.brokers, GROUP),
      (g) => g.state === "Stable" && g.members === 3,
      "the three members to form the group",
      90_000,
    );
    publishing = publishAll(s.log, records, { chunk: 200, perSecond: 1_200, stop: () => stopPublishing });
    await until(
      async () => [...members.map(appliedBy), await rows()],
      (a) => a.slice(0, 3).every((n) => n > 0) && a[3]! >= 3_000,
      "all three members applying, 3,000 effects",
      60_000,
    );
    const leaveAt = await rows();
    const leaveCode = await members[1]!.kill("SIGTERM");
    expect(leaveCode).toBe(0);
    const leaverApplied = appliedBy(members[1]!);

    await until(rows, (n) => n >= leaveAt + 3_000, "3,000 more effects from the two remaining members", 60_000);
    const joinAt = await rows();
    joiner = spawn();
    await until(
      () => appliedBy(joiner!),
      (n) => n > 0,
      "the joiner to apply events",
      60_000,
    );

    const acked = await publishing;
    await until(
      async () => [await rows(), await lagOf(s.log, GROUP, [TOPIC])],
      ([n, lag]) => n! >= N && lag === 0,
      "the group to catch up",
      60_000,
    );
    // A late redelivery after the rebalances would add a row in this window.
    await Bun.sleep(1_000);
    const stayed = [members[0]!, members[2]!, joiner];
    const codes = await Promise.all(stayed.map((w) => w.kill("SIGTERM")));

    const effects = await effectCounts(s.reader, "counted_effects", "event_id", ids);
    const marked = await rowCount(s.reader, `SELECT count(*) FROM processed_events WHERE consumer_group = '${GROUP}'`);
    const lag = await lagOf(s.log, GROUP, [TOPIC]);
    const perMember = [...members, joiner].map(appliedBy);
    const { skipped } = appliedTotals([...members, joiner]);
    console.log(
      `[faults h] acked ${acked}; member 2 left at ${leaveAt} effects (exit ${leaveCode}, applied ${leaverApplied}), member 4 joined at ${joinAt}; applied per member ${perMember.join("/")}, redelivered-and-skipped ${skipped}; rows ${effects.rows}, distinct ${effects.distinct}, missing ${effects.missing}, unknown ${effects.unknown}, processed_events ${marked}, lag ${lag}, total ${Math.round(performance.now() - started)} ms`,
    );
    expect({ ...effects, marked, lag, codes }).toEqual({
      rows: N,
      distinct: N,
      missing: 0,
      unknown: 0,
      marked: N,
      lag: 0,
      codes: [0, 0, 0],
    });
    // The applied counts of the members add up to the effects: no member applied anything twice, none lost its work.
    expect(perMember.reduce((a, b) => a + b, 0)).toBe(N);
  } finally {
    stopPublishing = true;
    await publishing;
    await Promise.all([...members, ...(joiner ? [joiner] : [])].map((w) => w.kill("SIGKILL")));
  }
});
