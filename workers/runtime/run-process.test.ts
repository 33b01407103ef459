import { describe, expect, test } from "bun:test";
import { createLogger } from "../../shared/logging/logger.ts";
import { runProcess } from "./run-process.ts";
import type { RunningWorker } from "./run-worker.ts";

/** A worker as runWorker returns it: stop() settles `done`, crash() rejects it. */
function worker(group: string, stopMs = 10) {
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const w = {
    group,
    done,
    stops: 0,
    async stop() {
      w.stops++;
      await Bun.sleep(stopMs);
      settle.resolve();
    },
    crash: (e: Error) => settle.reject(e),
  };
  return w satisfies RunningWorker;
}

function harness(workers: RunningWorker[], extra: { cleanup?: () => Promise<void>; shutdownTimeoutMs?: number } = {}) {
  const listeners = new Map<string, () => void>();
  const exits: number[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "info", write: (l) => lines.push(JSON.parse(l)) });
  const result = runProcess(workers, { logger, onSignal: (s, l) => listeners.set(s, l), exit: (c) => exits.push(c), ...extra });
  return { signal: (s: string) => listeners.get(s)!(), exits, lines, result };
}

describe("runProcess", () => {
  test("SIGTERM stops every worker, then cleans up, then exits 0", async () => {
    const a = worker("a");
    const b = worker("b", 50);
    const order: string[] = [];
    const h = harness([a, b], { cleanup: async () => void order.push(`cleanup after ${a.stops + b.stops} stops`) });
    h.signal("SIGTERM");
    expect(await h.result).toBe(0);
    expect(h.exits).toEqual([0]);
    expect(order).toEqual(["cleanup after 2 stops"]);
  });

  test("SIGINT does the same", async () => {
    const h = harness([worker("a")]);
    h.signal("SIGINT");
    expect(await h.result).toBe(0);
  });

  test("a crashed subscription is logged, the others are stopped, and the process exits 1", async () => {
    const a = worker("a");
    const b = worker("b");
    const h = harness([a, b]);
    a.crash(new Error("kafka consumer crashed: coordinator not available"));
    expect(await h.result).toBe(1);
    expect(b.stops).toBe(1);
    expect(h.lines.find((l) => l.level === "error")).toMatchObject({
      msg: "subscription crashed; exiting for a restart",
      group: "a",
      err: { message: "kafka consumer crashed: coordinator not available" },
    });
  });

  test("a shutdown that hangs exits 1 after the timeout", async () => {
    const stuck: RunningWorker = { group: "stuck", done: new Promise(() => {}), stop: () => new Promise(() => {}) };
    const h = harness([stuck], { shutdownTimeoutMs: 100 });
    h.signal("SIGTERM");
    expect(await h.result).toBe(1);
    expect(h.exits).toEqual([1]);
  });

  test("a failing cleanup makes the exit code 1", async () => {
    const h = harness([worker("a")], {
      cleanup: async () => {
        throw new Error("close failed");
      },
    });
    h.signal("SIGTERM");
    expect(await h.result).toBe(1);
  });
});
