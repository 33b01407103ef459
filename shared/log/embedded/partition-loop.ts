import { retryAfterMsOf } from "../../errors/errors.ts";
import type { Logger } from "../../logging/logger.ts";
import type { BatchHandler, DeliveredRecord } from "../event-log.ts";
import { redeliveryDelayMs, sleep } from "./backoff.ts";
import type { Doorbell } from "./doorbell.ts";
import type { LogDb } from "./log-db.ts";
import { commitStatement } from "./offsets.ts";

export interface PartitionLoop {
  db: LogDb;
  doorbell: Doorbell;
  logger: Pick<Logger, "warn">;
  group: string;
  topic: string;
  partition: number;
  handler: BatchHandler;
  maxBatchSize: number;
  pollIntervalMs: number;
  /** Aborted when the subscription stops: no new fetch, no further backoff. */
  signal: AbortSignal;
}

/**
 * Consumes one partition for one group from `position` until the signal aborts.
 * A handler failure only delays this partition: the same records are fetched again
 * after a backoff. A database failure rejects, which ends the subscription.
 */
export async function consumePartition(p: PartitionLoop, position: number): Promise<void> {
  let failures = 0;
  while (!p.signal.aborted) {
    const rings = p.doorbell.rings(p.topic, p.partition);
    const records = await fetchRecords(p, position);
    const last = records.at(-1);
    if (!last) {
      await p.doorbell.wait(p.topic, p.partition, rings, p.pollIntervalMs, p.signal);
      continue;
    }
    try {
      await p.handler({
        topic: p.topic,
        partition: p.partition,
        records,
        isActive: () => !p.signal.aborted,
        heartbeat: async () => {},
      });
    } catch (err) {
      failures++;
      const delay = retryAfterMsOf(err) ?? redeliveryDelayMs(failures);
      p.logger.warn("batch handler failed; redelivering after backoff", {
        group: p.group,
        topic: p.topic,
        partition: p.partition,
        offset: records[0]!.offset,
        attempt: failures,
        delayMs: delay,
        err,
      });
      await sleep(delay, p.signal);
      continue;
    }
    failures = 0;
    position = last.offset + 1;
    // Committed even when stopping: the handler finished, so its effects are durable.
    await p.db.write([commitStatement(p.group, p.topic, p.partition, position)]);
  }
}

/** Starting at `position`, or at the earliest retained record if retention already removed it. */
async function fetchRecords(p: PartitionLoop, position: number): Promise<DeliveredRecord[]> {
  const rows = await p.db.query(
    "SELECT offset, key, value, headers, ts FROM log_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?",
    [p.topic, p.partition, position, p.maxBatchSize],
  );
  return rows.map((r) => ({
    topic: p.topic,
    partition: p.partition,
    offset: Number(r.offset),
    key: String(r.key),
    value: String(r.value),
    headers: JSON.parse(String(r.headers)) as Record<string, string>,
    timestamp: Number(r.ts),
  }));
}
