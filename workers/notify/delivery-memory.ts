/**
 * What this process recently learnt sending each notification event, so the runtime's
 * retries of a failed batch do not turn into repeated requests (see retry.ts).
 *
 * When a batch call throws, the runtime re-runs halves of the batch, in log order, until
 * each failing record is alone, then gives that record its remaining attempts with backoff.
 * - The halves hold events already delivered. Sending them again would hit receivers
 *   with a duplicate per bisection level; remembered as settled, they are skipped (as
 *   are expired ones, so their skip is logged once).
 * - The halves hold the failing event too, re-run at once, about log2(batch) times with
 *   no backoff: hammering a receiver that has just failed. So a failure seen recently in
 *   a larger call is reported again without sending. A retry the runtime makes after its
 *   backoff runs the record alone, in a call no larger than the one it last failed in, so
 *   it always sends: a record gets `maxAttempts` real sends before it is dead-lettered.
 *
 * Bounded (the oldest entries are forgotten first) and in-process: after a restart, or on
 * another group member after a rebalance, an event may be sent again. That is the
 * at-least-once receivers are told about; they dedupe on x-fleet-event-id.
 */
export interface DeliveryMemory {
  /** Delivered, or skipped for good (expired): nothing more to do for it. */
  isSettled(eventId: string): boolean;
  markSettled(eventId: string): void;
  /** Records a failed send in a handler call of `callSize` events. */
  markFailed(eventId: string, error: unknown, callSize: number): void;
  /** The failure to report instead of sending, when the event failed recently in a larger call. */
  recentFailure(eventId: string, callSize: number): { error: unknown } | undefined;
}

export interface DeliveryMemorySettings {
  /** Events remembered per kind (settled, failed). Default 10,000: many batches' worth. */
  capacity: number;
  /** How long a failure may stand in for a send. Default 60 s: longer than a bisection takes. */
  replayWindowMs: number;
  now: () => number;
}

interface Failure {
  error: unknown;
  callSize: number;
  at: number;
}

export function createDeliveryMemory(settings: Partial<DeliveryMemorySettings> = {}): DeliveryMemory {
  const capacity = settings.capacity ?? 10_000;
  const windowMs = settings.replayWindowMs ?? 60_000;
  const now = settings.now ?? Date.now;
  // Insertion order is age order for both, so the first key is the one to forget.
  const settled = new Set<string>();
  const failed = new Map<string, Failure>();

  const trim = (keys: { size: number; keys(): IterableIterator<string>; delete(k: string): boolean }) => {
    while (keys.size > capacity) keys.delete(keys.keys().next().value as string);
  };

  return {
    isSettled: (eventId) => settled.has(eventId),
    markSettled(eventId) {
      failed.delete(eventId);
      settled.add(eventId);
      trim(settled);
    },
    markFailed(eventId, error, callSize) {
      failed.delete(eventId);
      failed.set(eventId, { error, callSize, at: now() });
      trim(failed);
    },
    recentFailure(eventId, callSize) {
      const f = failed.get(eventId);
      if (!f || f.callSize <= callSize || now() - f.at > windowMs) return undefined;
      // The next, smaller call of the bisection may report it again; the runtime's own retry (alone, same size) sends.
      f.callSize = callSize;
      return { error: f.error };
    },
  };
}
