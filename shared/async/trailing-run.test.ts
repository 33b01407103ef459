import { describe, expect, test } from "bun:test";
import { trailingRun } from "./trailing-run.ts";

/** A run the test finishes by hand; `runs` counts starts. */
function manualRuns() {
  const finishers: ((v: number) => void)[] = [];
  const failers: ((e: Error) => void)[] = [];
  let runs = 0;
  const run = () =>
    new Promise<number>((resolve, reject) => {
      runs += 1;
      finishers.push(resolve);
      failers.push(reject);
    });
  return { run, finish: (i: number) => finishers[i]!(i), fail: (i: number) => failers[i]!(new Error(`run ${i} failed`)), runs: () => runs };
}

describe("trailingRun", () => {
  test("a call while idle starts a run at once; calls during a run share ONE run that starts after it", async () => {
    const m = manualRuns();
    const go = trailingRun(m.run);
    const first = go();
    const a = go();
    const b = go();
    const c = go();
    expect(m.runs()).toBe(1);
    m.finish(0);
    expect(await first).toBe(0);
    await Bun.sleep(0);
    expect(m.runs()).toBe(2);
    m.finish(1);
    expect(await Promise.all([a, b, c])).toEqual([1, 1, 1]);
    expect(m.runs()).toBe(2);
  });

  test("a call after the run it could have joined has started waits for the next one", async () => {
    const m = manualRuns();
    const go = trailingRun(m.run);
    void go();
    const second = go();
    m.finish(0);
    await Bun.sleep(0);
    // Run 1 (second's) is in progress now: a new call must not settle with it.
    const third = go();
    m.finish(1);
    expect(await second).toBe(1);
    await Bun.sleep(0);
    expect(m.runs()).toBe(3);
    m.finish(2);
    expect(await third).toBe(2);
  });

  test("a failed run rejects its callers; the queued run still starts, and later calls work", async () => {
    const m = manualRuns();
    const go = trailingRun(m.run);
    const first = go();
    const second = go();
    m.fail(0);
    await expect(first).rejects.toThrow("run 0 failed");
    await Bun.sleep(0);
    m.finish(1);
    expect(await second).toBe(1);
    const later = go();
    m.finish(2);
    expect(await later).toBe(2);
  });
});
