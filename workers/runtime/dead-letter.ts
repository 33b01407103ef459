import { dlqTopicOf } from "../../shared/events/topics.ts";
import type { DeliveredRecord, OutgoingRecord } from "../../shared/log/event-log.ts";

/**
 * Headers added to a dead letter. The record's own key, value and headers are kept
 * unchanged (so a redrive republishes exactly what was consumed); these say why it
 * failed and where it came from. Names are prefixed so they never shadow the original's.
 */
export const DLQ_HEADERS = {
  errorName: "dlq-error-name",
  errorMessage: "dlq-error-message",
  attempts: "dlq-attempts",
  group: "dlq-group",
  topic: "dlq-topic",
  partition: "dlq-partition",
  offset: "dlq-offset",
  timestamp: "dlq-original-timestamp",
  failedAt: "dlq-failed-at",
} as const;

const MAX_MESSAGE = 2000;

export interface DeadLetterInfo {
  error: unknown;
  attempts: number;
  group: string;
  failedAt: Date;
}

/** The `<topic>.dlq` record for a record that failed for good. */
export function deadLetterRecord(r: DeliveredRecord, info: DeadLetterInfo): OutgoingRecord {
  const err = info.error instanceof Error ? info.error : new Error(String(info.error));
  return {
    topic: dlqTopicOf(r.topic),
    key: r.key,
    value: r.value,
    headers: {
      ...r.headers,
      [DLQ_HEADERS.errorName]: err.name,
      [DLQ_HEADERS.errorMessage]: err.message.slice(0, MAX_MESSAGE),
      [DLQ_HEADERS.attempts]: String(info.attempts),
      [DLQ_HEADERS.group]: info.group,
      [DLQ_HEADERS.topic]: r.topic,
      [DLQ_HEADERS.partition]: String(r.partition),
      [DLQ_HEADERS.offset]: String(r.offset),
      [DLQ_HEADERS.timestamp]: String(r.timestamp),
      [DLQ_HEADERS.failedAt]: info.failedAt.toISOString(),
    },
  };
}
