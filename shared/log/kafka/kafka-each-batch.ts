import type { EachBatchPayload, KafkaMessage } from "kafkajs";
import { retryAfterMsOf } from "../../errors/errors.ts";
import type { BatchHandler, DeliveredRecord } from "../event-log.ts";
import { errorText, type KafkaLogger } from "./kafka-logging.ts";

export interface EachBatchOptions {
  group: string;
  handler: BatchHandler;
  maxBatchSize: number;
  logger: KafkaLogger;
}

export interface EachBatchRunner {
  eachBatch(payload: EachBatchPayload): Promise<void>;
  /** Drops pending redelivery timers; call when the consumer stops. */
  cancelRetries(): void;
}

const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 5000;

/** Exponential backoff with equal jitter: attempt 1 waits 25-50 ms, doubling up to 2.5-5 s. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * The kafkajs eachBatch callback behind the port's BatchHandler.
 *
 * It never throws: a throw out of eachBatch makes kafkajs commit what was resolved and
 * restart or crash the consumer. A failed chunk is left unresolved and its partition is
 * paused for the backoff (the error's retryAfterMs when it names one), then resumed; kafkajs fetches again from the last resolved offset,
 * so the same records come back from their first one. Retrying by sleeping inside eachBatch
 * would not isolate the partition: a kafkajs fetcher waits for every batch of its last fetch
 * before fetching again, so one stuck partition would hold back all others led by the same broker.
 */
export function createEachBatch(opts: EachBatchOptions): EachBatchRunner {
  const attempts = new Map<string, { offset: string; attempt: number }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function scheduleRedelivery(payload: EachBatchPayload, firstOffset: string, err: unknown): void {
    const { topic, partition } = payload.batch;
    const key = `${topic}|${partition}`;
    const prev = attempts.get(key);
    const attempt = prev?.offset === firstOffset ? prev.attempt + 1 : 1;
    attempts.set(key, { offset: firstOffset, attempt });
    const delayMs = Math.round(retryAfterMsOf(err) ?? retryDelayMs(attempt));
    opts.logger("warn", "batch handler failed; redelivering after backoff", {
      group: opts.group,
      topic,
      partition,
      offset: firstOffset,
      attempt,
      delayMs,
      error: errorText(err),
    });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      resume();
    }, delayMs);
    timers.add(timer);
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    let lost = false;
    const isActive = () => payload.isRunning() && !payload.isStale() && !lost;
    const heartbeat = async () => {
      try {
        await payload.heartbeat();
      } catch (err) {
        // Usually a rebalance: the partition may belong to another member now, so the handler should wrap up.
        lost = true;
        opts.logger("warn", "heartbeat failed; batch marked inactive", { group: opts.group, topic, partition, error: errorText(err) });
      }
    };

    for (let start = 0; start < messages.length; start += opts.maxBatchSize) {
      if (!isActive()) return;
      const chunk = messages.slice(start, start + opts.maxBatchSize);
      const records = chunk.map((m) => toDelivered(topic, partition, m));
      try {
        await opts.handler({ topic, partition, records, isActive, heartbeat });
      } catch (err) {
        if (isActive()) scheduleRedelivery(payload, chunk[0]!.offset, err);
        return;
      }
      attempts.delete(`${topic}|${partition}`);
      payload.resolveOffset(chunk.at(-1)!.offset);
      try {
        await payload.commitOffsetsIfNecessary();
      } catch (err) {
        // kafkajs commits the resolved offset again after eachBatch returns and rejoins the group if this was a rebalance.
        opts.logger("warn", "commit failed; stopping this batch", { group: opts.group, topic, partition, error: errorText(err) });
        return;
      }
      await heartbeat();
    }
  }

  return {
    eachBatch,
    cancelRetries() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

function toDelivered(topic: string, partition: number, m: KafkaMessage): DeliveredRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    // Kafka allows a header name to repeat; the port has one value per name, so the last wins.
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) headers[name] = last.toString();
  }
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key?.toString() ?? "",
    value: m.value?.toString() ?? "",
    headers,
    timestamp: Number(m.timestamp),
  };
}
