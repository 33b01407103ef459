import type { RecordBatch } from "../../shared/log/event-log.ts";

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
