import { join } from "node:path";
import type { BookingLoadPlan, BookingLoadResult } from "./load-plan.ts";

const CLIENT = join(import.meta.dir, "load-client.ts");
/** Beyond warm-up + window: the stragglers' 10 s request timeout and process start. */
const SLACK_MS = 30_000;

/** Runs the load client in its own process (as a customer fleet would be) and resolves with its result; `onStart` gets its pid for CPU accounting. */
export interface LoadProcessResult {
  result: BookingLoadResult;
  /** The client's own CPU over its life, % of one core: from its rusage, since its /proc entry is gone once it exited. */
  clientCpuPct: number;
}

export async function runBookingLoadProcess(plan: BookingLoadPlan, onStart?: (pid: number) => void): Promise<LoadProcessResult> {
  const born = performance.now();
  const proc = Bun.spawn([process.execPath, CLIENT, JSON.stringify(plan)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const onExit = () => proc.kill("SIGKILL");
  process.once("exit", onExit);
  const limit = setTimeout(() => proc.kill("SIGKILL"), (plan.warmupS + plan.seconds) * 1000 + SLACK_MS);
  onStart?.(proc.pid);
  try {
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const line = out.trim().split("\n").at(-1);
    if (code !== 0 || !line) throw new Error(`booking load client failed (${proc.signalCode ?? `exit ${code}`}):\n${err.slice(-4000)}`);
    const usage = proc.resourceUsage();
    const cpuS = usage ? Number(usage.cpuTime.total) / 1e6 : NaN;
    return { result: JSON.parse(line) as BookingLoadResult, clientCpuPct: (cpuS / ((performance.now() - born) / 1000)) * 100 };
  } finally {
    clearTimeout(limit);
    process.off("exit", onExit);
  }
}
