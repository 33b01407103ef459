import { NonRetriableError } from "../errors/errors.ts";
import type { NotificationRequested } from "../events/notification.ts";

/** A `notification.requested` as handed to a Notifier: its data plus the id of the event that carried it. */
export type Notification = NotificationRequested & {
  /** The envelope id: unique per published event, the same on every redelivery of it. Receivers dedupe on it. */
  eventId: string;
};

/**
 * The Notifier port: tells one recipient one thing, through whatever reaches them
 * (a webhook, a push service, a log line in dev).
 *
 * send() resolves once the notification was delivered — accepted by the next hop, which
 * owns it from then on. It rejects with:
 * - NonRetriableError when sending it again cannot help: the receiver refused it (4xx
 *   other than 408 and 429, a redirect), or it expired (expiresAt is past) before it could go;
 * - any other error when it may go through later: a 5xx, 408, 429, a timeout, a refused or
 *   dropped connection. An adapter may wait out a short Retry-After itself before giving up;
 *   the caller owns every longer wait (the worker runtime's backoff).
 * Never RetryableError: that would retry forever, and a broken receiver must end in the
 * dead-letter topic instead.
 *
 * Delivery is at-least-once: a send that timed out may still have arrived, and a caller
 * retrying after a crash sends again. Each delivery carries `eventId` so receivers can
 * drop duplicates. send() may be called concurrently; it promises no order between
 * concurrent calls, so a caller that needs per-recipient order awaits each send in turn.
 */
export interface Notifier {
  send(n: Notification): Promise<void>;
  /** Refuses new sends; sends in flight finish. */
  close(): Promise<void>;
}

/** True once the notification is pointless: its expiresAt is at or before `now` (ms since epoch). */
export function isExpired(n: Pick<Notification, "expiresAt">, now: number): boolean {
  return n.expiresAt !== undefined && Date.parse(n.expiresAt) <= now;
}

/** The port's rule for expired notifications, for adapters to call before sending. */
export function assertNotExpired(n: Notification, now: number): void {
  if (isExpired(n, now))
    throw new NonRetriableError(`notification ${n.notificationId} (event ${n.eventId}) expired at ${n.expiresAt}; not sent`);
}
