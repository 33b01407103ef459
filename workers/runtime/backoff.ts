import type { RecordBatch } from "../../shared/log/event-log.ts";

export interface BackoffPolicy {
  /** First wait. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
}

/**
 * Exponential backoff with equal jitter: the ceiling doubles per attempt (0-based) up
 * to the cap; the wait is half the ceiling plus a random half, so waits still grow
 * while many partitions retrying at once spread out.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

const SLICE_MS = 50;
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Waits `ms` while keeping the group membership alive. Resolves true when the wait
 * is over, false as soon as the batch stops being active (stopping, or the partition
 * was lost): the caller must then give up so nothing is committed.
 */
export async function sleepWhileActive(ms: number, batch: Pick<RecordBatch, "isActive" | "heartbeat">): Promise<boolean> {
  const end = performance.now() + ms;
  let nextBeat = performance.now() + HEARTBEAT_EVERY_MS;
  for (;;) {
    if (!batch.isActive()) return false;
    const now = performance.now();
    if (now >= end) return true;
    if (now >= nextBeat) {
      await batch.heartbeat();
      nextBeat = now + HEARTBEAT_EVERY_MS;
    }
    await Bun.sleep(Math.min(SLICE_MS, end - now));
  }
}
