import type { Context } from "hono";
import { ValidationError } from "../../shared/errors/errors.ts";
import { createEnvelope, type NewEvent } from "../../shared/events/envelope.ts";
import type { GatewayDeps } from "../deps.ts";
import { outgoingRecord } from "../events/outgoing-record.ts";
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from "../idempotency/idempotency-key.ts";
import { fingerprintOf } from "../idempotency/idempotency-store.ts";
import { deliver } from "./deliver.ts";

export interface DurableAction<T> {
  /** Names the kind of request in the idempotency store, e.g. "bookings.accept". */
  operation: string;
  /** Whose request it is: the caller's sub (two callers may pick the same key). */
  scope: string;
  topic: string;
  event: Omit<NewEvent<T>, "source" | "correlationId" | "id">;
}

/**
 * Publishes an action (accept, cancel…) the way bookings are created: stored with its
 * record in the gateway's outbox before the answer, so a 202 holds even with the broker
 * down (the relay publishes it once the broker is back; gateway/outbox/). Resolves with
 * the event id to answer.
 *
 * An Idempotency-Key is optional here: sent, a retry answers the first event id and
 * publishes nothing new (the same key with another body is a 422); left out, each
 * request is a new event, which the booking worker judges on its own (a repeated accept
 * is refused as already the driver's).
 */
export async function publishDurably<T>(
  c: Context,
  deps: Pick<GatewayDeps, "publisher" | "idempotency">,
  a: DurableAction<T>,
): Promise<{ eventId: string; replayed: boolean }> {
  const env = createEnvelope({ ...a.event, source: "gateway", correlationId: c.get("requestId") });
  const record = outgoingRecord(a.topic, env);
  const key = c.req.header(IDEMPOTENCY_HEADER) === undefined ? env.id : readIdempotencyKey(c);
  const remembered = await deps.idempotency.remember({
    operation: a.operation,
    scope: a.scope,
    key,
    fingerprint: await fingerprintOf({ path: c.req.path, data: a.event.data }),
    response: { eventId: env.id },
    record,
  });
  if (remembered.kind === "conflict") {
    throw new ValidationError(
      `${IDEMPOTENCY_HEADER} was already used with a different request`,
      [{ field: IDEMPOTENCY_HEADER, message: "was already used by this caller for a different request; use a new key" }],
      422,
    );
  }
  await deliver(remembered, { publisher: deps.publisher, outbox: deps.idempotency.outbox });
  return { eventId: (remembered.response as { eventId: string }).eventId, replayed: remembered.kind === "replay" };
}
