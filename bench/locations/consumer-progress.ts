import type { LogAdmin } from "../../shared/log/event-log.ts";

export interface GroupProgress {
  /** Records the group has committed past, summed over partitions. */
  consumed: number;
  /** Records in the topic, summed over partitions' end offsets. */
  end: number;
  lag: number;
}

export async function groupProgress(admin: Pick<LogAdmin, "lag">, group: string, topic: string): Promise<GroupProgress> {
  const partitions = await admin.lag(group, [topic]);
  const end = partitions.reduce((n, p) => n + p.end, 0);
  const lag = partitions.reduce((n, p) => n + p.lag, 0);
  return { consumed: end - lag, end, lag };
}

/** Polls until the group's lag is zero; resolves with the seconds it took, or null after `timeoutMs`. */
export async function waitForDrain(admin: Pick<LogAdmin, "lag">, group: string, topic: string, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if ((await groupProgress(admin, group, topic)).lag === 0) return (performance.now() - started) / 1000;
    await Bun.sleep(100);
  }
  return null;
}
