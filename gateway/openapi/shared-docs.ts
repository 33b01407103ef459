import * as v from "valibot";
import { IDEMPOTENCY_HEADER, IdempotencyKeySchema } from "../idempotency/idempotency-key.ts";
import type { HeaderDoc, ResponseDoc } from "./route-doc.ts";

/** Pieces several RouteDocs share, written once. */

export function idempotencyKeyHeader(required: boolean): Record<string, HeaderDoc> {
  return {
    [IDEMPOTENCY_HEADER]: {
      required,
      schema: IdempotencyKeySchema,
      description: required
        ? "A new key (e.g. a UUID) per request, sent again only to retry it: a retry answers the first response and publishes nothing new; the same key with another body is a 422."
        : "Optional: with a key, a retry answers the first event id and publishes nothing new (the same key with another body is a 422); without one, each request is a new event.",
    },
  };
}

/** Answers that may repeat an earlier one say so. */
export const REPLAYED_HEADER: ResponseDoc["headers"] = {
  "idempotent-replayed": {
    description: '"true" when this answers an earlier request with the same Idempotency-Key',
    schema: v.literal("true"),
  },
};

export const PUBLISH_UNAVAILABLE =
  "the broker did not ack within PUBLISH_TIMEOUT_MS, or the producer buffer is full (retry after Retry-After)";

/** `{bookingId, eventId}` and `{orderId, eventId}`: an action accepted, to be judged by a worker. */
export const EventIdSchema = v.pipe(v.string(), v.uuid());

export const IsoTimestampSchema = v.pipe(v.string(), v.isoTimestamp());
