/**
 * The webhook Notifier: one signed HTTP POST per notification to one configured URL.
 *
 * Request: `POST <url>`, body the Notification as JSON (eventId, notificationId,
 * recipientId, recipientType, kind, subjectId, payload, expiresAt?), headers
 * `content-type: application/json`, `x-fleet-event-id`, `x-fleet-timestamp` and
 * `x-fleet-signature` (signature.ts says how a receiver verifies them). Every attempt is
 * signed afresh, so a retry carries a current timestamp and passes a receiver's replay
 * window, while its event id stays the same.
 *
 * Where it differs from the port:
 * - Delivered means the receiver answered 2xx. Every request has a timeout (default 5 s,
 *   covering the answer's body too); one that timed out may still have been processed, so
 *   a retry can deliver twice: at-least-once, receivers dedupe on x-fleet-event-id.
 * - Redirects are not followed (a 302 would turn the POST into a GET): a 3xx is
 *   NonRetriableError, like a 4xx other than 408 and 429.
 * - A Retry-After (on 429, 503, …) of at most `maxRetryAfterWaitMs` (default 1 s) is waited
 *   out inside send(), then the request is tried once more. A longer one is reported as a
 *   transient failure carrying `retryAfterMs`; the worker runtime's backoff then decides
 *   when to retry, which may be sooner than the receiver asked.
 * - It does not limit concurrency itself: callers bound how many sends they run at once.
 */
import { assertNotExpired, type Notification, type Notifier } from "../notifier.ts";
import { importSigningKey, signWebhook, WEBHOOK_HEADERS } from "./signature.ts";
import { failureForNoResponse, failureForResponse, WebhookDeliveryError } from "./webhook-failure.ts";

export interface WebhookNotifierOptions {
  url: string;
  /** Shared with the receiver, which verifies x-fleet-signature with it. */
  secret: string;
  /** Per request, answer body included. Default 5000. */
  timeoutMs?: number;
  /** Longest Retry-After waited out inside send(). Default 1000. */
  maxRetryAfterWaitMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const EXCERPT_CHARS = 200;

export function createWebhookNotifier(opts: WebhookNotifierOptions): Notifier {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxWaitMs = opts.maxRetryAfterWaitMs ?? 1_000;
  const now = opts.now ?? Date.now;
  const key = importSigningKey(opts.secret);
  let closed = false;

  /** One attempt: undefined when delivered, else the error to report. */
  async function post(n: Notification, body: string): Promise<Error | undefined> {
    const timestamp = Math.floor(now() / 1000);
    const headers = {
      "content-type": "application/json",
      [WEBHOOK_HEADERS.eventId]: n.eventId,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: await signWebhook(await key, { eventId: n.eventId, timestamp, body }),
    };
    let res: Response;
    try {
      res = await fetch(opts.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      return failureForNoResponse(err, timeoutMs);
    }
    if (res.ok) {
      // The 2xx is the receipt; its body carries nothing we need.
      await res.body?.cancel();
      return undefined;
    }
    // The status already says what went wrong; the body only adds detail, so an unreadable one is left out.
    const excerpt = (await res.text().catch(() => "")).slice(0, EXCERPT_CHARS);
    return failureForResponse(res, excerpt, now());
  }

  return {
    async send(n) {
      if (closed) throw new Error("webhook notifier is closed");
      assertNotExpired(n, now());
      const body = JSON.stringify(n);
      const failure = await post(n, body);
      if (!failure) return;
      const waitMs = failure instanceof WebhookDeliveryError ? failure.retryAfterMs : undefined;
      if (waitMs === undefined || waitMs > maxWaitMs) throw failure;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      assertNotExpired(n, now());
      const again = await post(n, body);
      if (again) throw again;
    },
    async close() {
      closed = true;
    },
  };
}
