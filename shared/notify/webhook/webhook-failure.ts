import { NonRetriableError } from "../../errors/errors.ts";

/**
 * A webhook attempt that failed in a way a later attempt may fix: a 5xx, 408, 429, a
 * timeout, a refused or dropped connection. Deliberately not RetryableError (which the
 * worker runtime retries forever): a receiver that stays broken must end in the DLQ.
 */
export class WebhookDeliveryError extends Error {
  override readonly name = "WebhookDeliveryError";
  constructor(
    message: string,
    /** The HTTP status, when the receiver answered. */
    readonly status?: number,
    /** What the receiver's Retry-After asked for, in ms. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The error for a non-2xx answer: transient for 5xx, 408 and 429, NonRetriableError for the rest. */
export function failureForResponse(res: { status: number; statusText: string; headers: Headers }, bodyExcerpt: string, now: number): Error {
  const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), now);
  const what = `webhook answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${bodyExcerpt ? `: ${bodyExcerpt}` : ""}`;
  const failure = new WebhookDeliveryError(what, res.status, retryAfterMs);
  if (res.status >= 500 || res.status === 408 || res.status === 429) return failure;
  // Other 4xx: the receiver refuses this request and would refuse it again. 3xx: redirects
  // are not followed (a 302 would turn the POST into a GET), so the URL needs fixing.
  return new NonRetriableError(what, { cause: failure });
}

/** The error for a request that got no answer. */
export function failureForNoResponse(err: unknown, timeoutMs: number): WebhookDeliveryError {
  const name = err instanceof Error ? err.name : "";
  if (name === "TimeoutError")
    return new WebhookDeliveryError(`webhook did not answer within ${timeoutMs} ms`, undefined, undefined, { cause: err });
  const code = (err as { code?: unknown } | null)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  const suffix = typeof code === "string" && !detail.includes(code) ? ` (${code})` : "";
  return new WebhookDeliveryError(`webhook unreachable: ${detail}${suffix}`, undefined, undefined, { cause: err });
}

/** Retry-After as ms from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
