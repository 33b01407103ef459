import { cpuSeconds, machineCpuSeconds, rssBytes } from "./process-stats.ts";

export interface CpuShare {
  /** Per process: CPU used over the window as % of one core (a single-threaded process saturates at ~100). */
  processes: Record<string, number>;
  /** The whole machine: % of its capacity busy (100 % = every core busy all the time). */
  machineBusyPct: number;
  /** Busy time no process listed above accounts for (other users of the box), % of one core. */
  othersPct: number;
}

/** Snapshots CPU times of named processes at the start of a window and compares at its end. */
export function startCpuWindow(pids: Record<string, number | undefined>): () => CpuShare {
  const t0 = performance.now();
  const m0 = machineCpuSeconds();
  const p0 = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : cpuSeconds(pid)]));
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const m1 = machineCpuSeconds();
    const processes: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const before = p0[name];
      const after = pid === undefined ? undefined : cpuSeconds(pid);
      if (before !== undefined && after !== undefined) processes[name] = ((after - before) / wall) * 100;
    }
    const busyPct = ((m1.busy - m0.busy) / wall) * 100;
    const listed = Object.values(processes).reduce((a, b) => a + b, 0);
    return {
      processes,
      machineBusyPct: ((m1.busy - m0.busy) / Math.max(1e-9, m1.total - m0.total)) * 100,
      othersPct: Math.max(0, busyPct - listed),
    };
  };
}

/** Samples the resident set of each process every `intervalMs`; stop() gives each one's maximum, bytes. */
export function watchPeakRss(pids: Record<string, number>, intervalMs = 200): { stop(): Record<string, number> } {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name] ?? 0, rssBytes(pid) ?? 0);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
