import { readdirSync, readFileSync } from "node:fs";

/**
 * Linux /proc readers: how much memory and CPU each process of the benchmark used, so
 * the report can say which one is the bottleneck on a machine they all share.
 */

/** Resident set of a process, bytes; undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  const kb = read(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** User + system CPU seconds of a process and all its threads so far. */
export function cpuSeconds(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) may contain spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** Busy and total CPU seconds of the whole machine, summed over cores. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = read("/proc/stat")?.split("\n")[0] ?? "";
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / clockTicks(), total: (busy + idle + iowait) / clockTicks() };
}

/** The first process whose command line (NUL-separated arguments) satisfies `match`. */
export function findPid(match: (args: string[]) => boolean): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const args = read(`/proc/${entry}/cmdline`)?.split("\0").filter(Boolean);
    if (args && args.length > 0 && match(args)) return Number(entry);
  }
  return undefined;
}

let ticks: number | undefined;

/** USER_HZ: the unit of /proc CPU times (100 on practically every Linux). */
function clockTicks(): number {
  ticks ??= Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;
  return ticks;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
