/**
 * Errors carry policy. The worker runtime and the HTTP layer decide what to do from
 * the class alone: retry later, dead-letter now, or answer 4xx.
 */

/** Bad input from a client: 400 (unreadable) or 422 (readable but wrong) problem+json naming the field. */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[],
    readonly status: 400 | 413 | 422 = 422,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Retrying cannot help (malformed record, impossible state): dead-letter at once. */
export class NonRetriableError extends Error {
  override readonly name = "NonRetriableError";
}

/** A dependency is down or busy: pause and retry, never dead-letter. */
export class RetryableError extends Error {
  override readonly name = "RetryableError";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The producer buffer is full: the gateway answers 503 + Retry-After. */
export class BackpressureError extends Error {
  override readonly name = "BackpressureError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * The wait an error asks for before its work is retried: its own `retryAfterMs`, when a
 * finite number ≥ 0 (RetryableError, BackpressureError, the worker runtime's RetryDeferred).
 * The log adapters redeliver a failed batch after this wait when given, after their own
 * backoff otherwise.
 */
export function retryAfterMsOf(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
