import type { Context } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../shared/errors/errors.ts";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** Printable ASCII without spaces: what a client generates (a UUID, a ULID, its own order number). */
const KEY = /^[\x21-\x7E]{1,255}$/;
const KEY_RULE = "must be 1-255 printable ASCII characters without spaces";

/** The header as the OpenAPI document describes it (readIdempotencyKey below checks the same pattern). */
export const IdempotencyKeySchema = v.pipe(v.string(), v.regex(KEY, KEY_RULE));

/** The request's Idempotency-Key; missing or malformed is a 400 naming the header. */
export function readIdempotencyKey(c: Context): string {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (!key) {
    throw new ValidationError(
      `${IDEMPOTENCY_HEADER} header is missing`,
      [{ field: IDEMPOTENCY_HEADER, message: "is required: a new key (e.g. a UUID) per request, sent again only to retry that request" }],
      400,
    );
  }
  if (!KEY.test(key))
    throw new ValidationError(`${IDEMPOTENCY_HEADER} header is invalid`, [{ field: IDEMPOTENCY_HEADER, message: KEY_RULE }], 400);
  return key;
}
