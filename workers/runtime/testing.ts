import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import type { DeliveredRecord, OutgoingRecord, Publisher, RecordBatch } from "../../shared/log/event-log.ts";

/*
 * Inputs for the runtime's unit tests: record batches built by hand, as an adapter
 * would deliver them, and a publisher that keeps what it was given. Not a test file.
 */

export function eventRecord(
  offset: number,
  data: Record<string, unknown>,
  opts: { key?: string; topic?: string; partition?: number; id?: string } = {},
): DeliveredRecord {
  const key = opts.key ?? "k-1";
  const envelope = createEnvelope({ type: "test.happened", key, source: "runtime-test", data, id: opts.id });
  return {
    topic: opts.topic ?? "rides",
    partition: opts.partition ?? 0,
    offset,
    key,
    value: JSON.stringify(envelope),
    headers: { ...envelopeHeaders(envelope), origin: "unit" },
    timestamp: 1_700_000_000_000 + offset,
  };
}

export function recordBatch(records: DeliveredRecord[], isActive: () => boolean = () => true): RecordBatch & { heartbeats: number } {
  const batch = {
    topic: records[0]?.topic ?? "rides",
    partition: records[0]?.partition ?? 0,
    records,
    isActive,
    heartbeats: 0,
    heartbeat: async () => void batch.heartbeats++,
  };
  return batch;
}

/** Keeps published records; `failFirst` publishes fail first (a broker that is briefly away). */
export function collectingPublisher(failFirst = 0): Publisher & { published: OutgoingRecord[]; failures: number } {
  const pub = {
    published: [] as OutgoingRecord[],
    failures: 0,
    async publish(records: OutgoingRecord[]) {
      if (pub.failures < failFirst) {
        pub.failures++;
        throw new Error("broker unavailable (test)");
      }
      pub.published.push(...records);
    },
    async close() {},
  };
  return pub;
}

/**
 * Delivers a batch the way an adapter does after a handler throws: the same records
 * again after a short backoff, until the handler resolves. Only RetryDeferred is
 * redelivered here; any other error is the test's answer and is rethrown.
 */
export async function deliverUntilDone(
  handler: (b: RecordBatch) => Promise<void>,
  batch: RecordBatch,
  gapMs = 2,
): Promise<{ deliveries: number }> {
  for (let deliveries = 1; ; deliveries++) {
    try {
      await handler(batch);
      return { deliveries };
    } catch (err) {
      if ((err as Error).name !== "RetryDeferred") throw err;
      await Bun.sleep(gapMs);
    }
  }
}
