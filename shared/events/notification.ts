import * as v from "valibot";
import { TimestampSchema } from "./timestamp.ts";

/**
 * `notification.requested` v1 on `notifications`, key recipientId: something a driver or
 * customer must be told (an offer, a status change). The notify worker delivers it
 * through a Notifier; producers never wait for delivery.
 */
export const NOTIFICATION_REQUESTED = "notification.requested";

/** offer.withdrawn: an offer a driver was made no longer stands (another driver took the booking, or it was cancelled or expired). */
export const NOTIFICATION_KINDS = [
  "booking.offer",
  "booking.accept-rejected",
  "booking.status",
  "order.status",
  "offer.withdrawn",
] as const;

export const NotificationRequestedSchema = v.strictObject({
  /** Deterministic per (cause, recipient): a republished notification is the same notification. */
  notificationId: v.pipe(v.string(), v.uuid()),
  recipientId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  recipientType: v.picklist(["driver", "customer"]),
  kind: v.picklist(NOTIFICATION_KINDS),
  /** The booking or order it is about, so a client can fetch details. */
  subjectId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** What the recipient's app shows; small, self-contained. */
  payload: v.record(v.string(), v.unknown()),
  /** After this, delivering is pointless (an offer that expired); ISO-8601. */
  expiresAt: v.optional(TimestampSchema),
});
export type NotificationRequested = v.InferOutput<typeof NotificationRequestedSchema>;
