import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { type Summary, summarize } from "./percentiles.ts";

/** Often enough to resolve a few ms, rarely enough that 1-in-100 sampling stays a small load on Redis. */
const POLL_MS = 5;

export interface VisibilityProbe {
  /** Polls until the driver's indexed position is at least as new as `recordedAt`; time counts from `sentAt` (performance.now()). */
  watch(driverId: string, recordedAt: number, sentAt: number): void;
  /** Waits for every watch to end (seen or timed out). */
  settle(): Promise<Summary & { timedOut: number }>;
}

/**
 * Fix → visible, as a rider's app would experience it: the index answers with the fix
 * only once the gateway published it, the broker stored it and the location worker
 * applied it. "At least as new" because a later fix of the same driver may land first
 * in the same worker batch, which makes the sampled one visible too.
 */
export function createVisibilityProbe(geo: Pick<GeoIndex, "get">, timeoutMs: number): VisibilityProbe {
  const seenMs: number[] = [];
  const pending = new Set<Promise<void>>();
  let timedOut = 0;

  const poll = async (driverId: string, recordedAt: number, sentAt: number) => {
    const deadline = sentAt + timeoutMs;
    while (performance.now() < deadline) {
      const state = await geo.get(driverId);
      if (state?.position && state.position.recordedAt >= recordedAt) {
        seenMs.push(performance.now() - sentAt);
        return;
      }
      await Bun.sleep(POLL_MS);
    }
    timedOut++;
  };

  return {
    watch(driverId, recordedAt, sentAt) {
      const p = poll(driverId, recordedAt, sentAt).finally(() => pending.delete(p));
      pending.add(p);
    },
    async settle() {
      while (pending.size > 0) await Promise.all(pending);
      return { ...summarize(seenMs), timedOut };
    },
  };
}
