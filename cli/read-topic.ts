import type { DeliveredRecord, EventLog } from "../shared/log/event-log.ts";

/**
 * A group name nobody else uses. Reading through a fresh group never moves a worker's
 * offsets; on Kafka its committed offsets linger until the broker expires them
 * (offsets.retention.minutes), on the embedded log they stay as a few rows.
 */
export function throwawayGroup(purpose: string): string {
  return `fleet-cli-${purpose}-${crypto.randomUUID().slice(0, 8)}`;
}

export function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * Calls `onRecord` for every record retained in `topic` when the call starts, in offset
 * order within each partition, then leaves. Records published meanwhile are not read, so
 * a read of a busy topic still ends. A failing `onRecord` ends the read with its error
 * rather than being retried by the subscription.
 */
export async function readToEnd(
  log: EventLog,
  topic: string,
  onRecord: (r: DeliveredRecord) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const group = throwawayGroup("read");
  // A group that never committed has lag = end - earliest: exactly the retained records.
  const bounds = await log.admin().lag(group, [topic]);
  const pending = new Map(bounds.filter((b) => b.lag > 0).map((b) => [b.partition, b.end]));
  // A rebalance may deliver a batch again: each record is handed on once.
  const next = new Map<number, number>();
  if (pending.size === 0) return;
  const finished = Promise.withResolvers<void>();
  const sub = await log.subscriber().subscribe({
    group,
    topics: [topic],
    fromBeginning: true,
    handler: async (batch) => {
      const end = pending.get(batch.partition);
      if (end === undefined) return;
      try {
        for (const r of batch.records) {
          if (r.offset >= end) break;
          if (r.offset < (next.get(r.partition) ?? 0)) continue;
          await onRecord(r);
          next.set(r.partition, r.offset + 1);
        }
      } catch (err) {
        finished.reject(err);
        return;
      }
      if (batch.records.at(-1)!.offset >= end - 1) {
        pending.delete(batch.partition);
        if (pending.size === 0) finished.resolve();
      }
    },
  });
  try {
    await Promise.race([finished.promise, sub.done, aborted(signal)]);
  } finally {
    await sub.stop();
  }
}
