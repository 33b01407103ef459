import { join } from "node:path";
import type { Subprocess } from "bun";

const REPO = join(import.meta.dir, "..", "..", "..");
/** The runtime suite's counting worker: one row per applied event in `counted_effects`, no primary key, so a double effect shows. */
export const COUNTING_WORKER = join(REPO, "tests", "runtime", "fixtures", "counting-worker.ts");
/** The production entry point: `bun workers/main.ts <name…>`. */
export const WORKERS_MAIN = join(REPO, "workers", "main.ts");

export interface SpawnedProcess {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Every stdout + stderr line so far (JSON logs). */
  readonly lines: string[];
  /** Resolves once a line satisfies `match`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(signal: "SIGKILL" | "SIGTERM"): Promise<number>;
  /** Stdout + stderr tail, for failure messages. */
  tail(n?: number): string;
}

/**
 * Spawns a worker process whose output is read continuously: a pipe nobody drains fills
 * up and blocks the worker's next log write, which would look like a hang.
 */
export function spawnProcess(cmd: string[], env: Record<string, string>): SpawnedProcess {
  // `bun run test` exports the cluster's REDIS_CLUSTER_URLS for its contract suites; inherited, it would take
  // precedence over the REDIS_URL a scenario names. A process gets the cluster only when its scenario passes it.
  const { REDIS_CLUSTER_URLS: _cluster, ...inherited } = process.env;
  const proc = Bun.spawn(cmd, { env: { ...inherited, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  const follow = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const w of waiters.splice(0)) w.match(line) ? w.resolve(line) : waiters.push(w);
      }
    }
  };
  void follow(proc.stdout).catch(() => {});
  void follow(proc.stderr).catch(() => {});
  // A test that fails half-way must not leave workers consuming from the next test's broker.
  const onExit = () => proc.kill("SIGKILL");
  process.once("exit", onExit);
  void proc.exited.then(() => process.off("exit", onExit));
  const tail = (n = 30) => lines.slice(-n).join("\n");
  return {
    proc,
    lines,
    tail,
    waitForLine(match, timeoutMs = 60_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms; output tail:\n${tail()}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void proc.exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before a matching line; output tail:\n${tail()}`));
        });
      });
    },
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return proc.exited;
    },
  };
}

/** The counting worker on `topic` as `group`, writing into the libSQL file at `url`. */
export function spawnCountingWorker(o: {
  brokers: string;
  topic: string;
  group: string;
  url: string;
  inTxMs?: number;
  afterTxMs?: number;
}): SpawnedProcess {
  return spawnProcess([process.execPath, COUNTING_WORKER], {
    KAFKA_BROKERS: o.brokers,
    TOPIC: o.topic,
    GROUP: o.group,
    LIBSQL_URL: o.url,
    DELAY_IN_TX_MS: String(o.inTxMs ?? 0),
    DELAY_AFTER_TX_MS: String(o.afterTxMs ?? 0),
  });
}

/** Sums `"applied"` lines of counting workers: events applied and redelivered events skipped. */
export function appliedTotals(processes: SpawnedProcess[]): { applied: number; skipped: number } {
  let applied = 0;
  let skipped = 0;
  for (const p of processes) {
    for (const l of p.lines) {
      if (!l.includes('"msg":"applied"')) continue;
      const r = JSON.parse(l) as { applied: number; skipped: number };
      applied += r.applied;
      skipped += r.skipped;
    }
  }
  return { applied, skipped };
}
