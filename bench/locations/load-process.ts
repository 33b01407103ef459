import { join } from "node:path";
import type { LoadEvent, LoadPlan, LoadResult } from "./load-plan.ts";

const GENERATOR = join(import.meta.dir, "load-generator.ts");
/** Set-up (statuses), draining the last requests and settling visibility probes, beyond warm-up + window. */
const SLACK_MS = 120_000;

export interface WindowHooks {
  /** The generator's measured window starts now; `pid` is the generator's, for CPU accounting. */
  onMeasuring?(pid: number): void | Promise<void>;
  onMeasured?(): void | Promise<void>;
}

/**
 * Runs the load generator in its own process (as a client fleet would be) and resolves
 * with its result. The hooks run when the generator announces its window's edges, so the
 * caller can read CPU times and consumer offsets at the same moments.
 */
export async function runLoadProcess(plan: LoadPlan, hooks: WindowHooks = {}): Promise<LoadResult> {
  const proc = Bun.spawn([process.execPath, GENERATOR, JSON.stringify(plan)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const onExit = () => proc.kill("SIGKILL");
  process.once("exit", onExit);
  const limit = setTimeout(() => proc.kill("SIGKILL"), (plan.warmupS + plan.measureS) * 1000 + SLACK_MS);
  const stderr = new Response(proc.stderr).text();
  let result: LoadResult | undefined;
  try {
    for await (const line of lines(proc.stdout)) {
      const e = JSON.parse(line) as LoadEvent;
      if (e.event === "measuring") await hooks.onMeasuring?.(proc.pid);
      else if (e.event === "measured") await hooks.onMeasured?.();
      else result = e.result;
    }
    const code = await proc.exited;
    if (!result || code !== 0)
      throw new Error(`load generator failed (${proc.signalCode ?? `exit ${code}`}):\n${(await stderr).slice(-4000)}`);
    return result;
  } finally {
    // A hook that threw leaves the generator running: it must not outlive the run.
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    clearTimeout(limit);
    process.off("exit", onExit);
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield line;
    }
  }
}
