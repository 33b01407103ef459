import type { Context } from "hono";
import { deadlineSweep } from "../../shared/async/deadline-sweep.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import { createEnvelope, type Envelope, type NewEvent } from "../../shared/events/envelope.ts";
import type { Publisher } from "../../shared/log/event-log.ts";
import { outgoingRecord } from "./outgoing-record.ts";

/** How long a request waits for the log's ack unless configured otherwise (PUBLISH_TIMEOUT_MS). */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 2000;

/**
 * Wraps data in the envelope (request id as correlation id) and resolves once the log has
 * it durably. The wait is bounded: with the broker down, kafkajs retries a send for ~23 s,
 * far beyond what a driver app waits, so after `timeoutMs` (PUBLISH_TIMEOUT_MS) the request
 * fails with RetryableError (503 + Retry-After, the client retries). The abandoned publish
 * may still land later; a retried fix is a new event, harmless since the newest fix wins
 * and the trail is downsampled. Paths that must not lose an accepted event (bookings,
 * orders) go through the outbox instead.
 */
export async function publishEvent<T>(
  c: Context,
  publisher: Publisher,
  topic: string,
  event: Omit<NewEvent<T>, "source" | "correlationId">,
  timeoutMs: number,
): Promise<Envelope<T>> {
  const envelope = createEnvelope({ ...event, source: "gateway", correlationId: c.get("requestId") });
  const record = outgoingRecord(topic, envelope);
  await withinBound(publisher.publish([record]), timeoutMs, topic);
  return envelope;
}

/** Settles like `publish`, or rejects with RetryableError once `timeoutMs` passed without an answer (one shared timer: shared/async/deadline-sweep.ts). */
export function withinBound(publish: Promise<void>, timeoutMs: number, topic: string): Promise<void> {
  return deadlineSweep(timeoutMs).bound(publish, () => {
    throw new RetryableError(`no ack from the event log for ${topic} within ${timeoutMs} ms`, Math.max(1000, timeoutMs));
  });
}
