import { v7 as uuidv7 } from "uuid";
import * as v from "valibot";
import { TimestampSchema } from "./timestamp.ts";

/** The longest correlation id an envelope carries; the gateway replaces a longer X-Request-Id (gateway/app.ts). */
export const MAX_CORRELATION_ID_LENGTH = 128;

/**
 * Every record on every topic carries this envelope as its JSON value.
 * `id` is the idempotency key: consumers record it with their effects, so a
 * redelivered or replayed record never applies twice. `type` and `version` are
 * also copied into record headers so a consumer can route without parsing.
 */
export const EnvelopeSchema = v.strictObject({
  id: v.pipe(v.string(), v.uuid()),
  type: v.pipe(v.string(), v.regex(/^[a-z]+(\.[a-z-]+)+$/)),
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  occurredAt: TimestampSchema,
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  correlationId: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CORRELATION_ID_LENGTH)),
  source: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  data: v.unknown(),
});

export type Envelope<T = unknown> = Omit<v.InferOutput<typeof EnvelopeSchema>, "data"> & { data: T };

export interface NewEvent<T> {
  type: string;
  version?: number;
  key: string;
  data: T;
  correlationId?: string;
  source: string;
  /** Deterministic ids (e.g. derived from an Idempotency-Key) make a retried publish the same event. */
  id?: string;
  occurredAt?: Date;
}

export function createEnvelope<T>(e: NewEvent<T>): Envelope<T> {
  const id = e.id ?? uuidv7();
  return {
    id,
    type: e.type,
    version: e.version ?? 1,
    occurredAt: (e.occurredAt ?? new Date()).toISOString(),
    key: e.key,
    correlationId: e.correlationId ?? id,
    source: e.source,
    data: e.data,
  };
}

export const HEADER_TYPE = "type";
export const HEADER_VERSION = "version";
export const HEADER_ID = "event-id";
export const HEADER_CORRELATION = "correlation-id";

export function envelopeHeaders(e: Envelope): Record<string, string> {
  return {
    [HEADER_TYPE]: e.type,
    [HEADER_VERSION]: String(e.version),
    [HEADER_ID]: e.id,
    [HEADER_CORRELATION]: e.correlationId,
  };
}

/** Parses a record value; throws a NonRetriableError-worthy ValiError on anything malformed. */
export function parseEnvelope(value: string): Envelope {
  return v.parse(EnvelopeSchema, JSON.parse(value));
}
