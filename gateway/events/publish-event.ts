import type { Context } from "hono";
import { createEnvelope, envelopeHeaders, type Envelope, type NewEvent } from "../../shared/events/envelope.ts";
import type { Publisher } from "../../shared/log/event-log.ts";

/** Wraps data in the envelope (request id as correlation id) and resolves once the log has it durably. */
export async function publishEvent<T>(c: Context, publisher: Publisher, topic: string, event: Omit<NewEvent<T>, "source" | "correlationId">): Promise<Envelope<T>> {
  const envelope = createEnvelope({ ...event, source: "gateway", correlationId: c.get("requestId") });
  await publisher.publish([{ topic, key: envelope.key, value: JSON.stringify(envelope), headers: envelopeHeaders(envelope) }]);
  return envelope;
}
