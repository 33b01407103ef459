import { decisionEventId, notificationIdFor } from "../../shared/booking/ids.ts";
import type { Eta } from "../../shared/eta/eta-estimator.ts";
import {
  type AcceptRejectReason,
  BOOKING_ACCEPT_REJECTED,
  BOOKING_COMPLETED,
  BOOKING_EXPIRED,
  BOOKING_OFFERED,
  BOOKING_REASSIGNING,
  type BookingAcceptRejected,
  type BookingCompleted,
  type BookingExpired,
  type BookingOffered,
  type BookingReassigning,
} from "../../shared/events/booking.ts";
import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import { NOTIFICATION_REQUESTED, type NotificationRequested } from "../../shared/events/notification.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import type { LoadedBooking } from "./booking-model.ts";

/*
 * The records the booking worker emits, each with its deterministic id (shared/booking/
 * ids.ts): its decisions are named by the event that caused them, notifications by
 * (cause, recipient), so a republished one is the same event. They carry the correlation id of
 * the event that caused them, so a request can be traced through every follow-up.
 */

const WORKER_SOURCE = "booking-worker";

/** The cause: the event being applied, and the worker's clock. */
export interface Cause {
  eventId: string;
  correlationId: string;
  now: number;
}

function record<T>(topic: string, id: string, type: string, key: string, data: T, cause: Cause): OutgoingRecord {
  const e = createEnvelope({
    id,
    type,
    key,
    data,
    source: WORKER_SOURCE,
    correlationId: cause.correlationId,
    occurredAt: new Date(cause.now),
  });
  return toRecord(topic, e);
}

export function offeredRecord(data: BookingOffered, cause: Cause): OutgoingRecord {
  return record(TOPICS.bookings, decisionEventId(data.bookingId, cause.eventId), BOOKING_OFFERED, data.bookingId, data, cause);
}

export function expiredRecord(data: BookingExpired, cause: Cause): OutgoingRecord {
  return record(TOPICS.bookings, decisionEventId(data.bookingId, cause.eventId), BOOKING_EXPIRED, data.bookingId, data, cause);
}

export function acceptRejectedRecord(data: BookingAcceptRejected, cause: Cause): OutgoingRecord {
  return record(TOPICS.bookings, decisionEventId(data.bookingId, cause.eventId), BOOKING_ACCEPT_REJECTED, data.bookingId, data, cause);
}

export function reassigningRecord(data: BookingReassigning, cause: Cause): OutgoingRecord {
  return record(TOPICS.bookings, decisionEventId(data.bookingId, cause.eventId), BOOKING_REASSIGNING, data.bookingId, data, cause);
}

export function completedRecord(data: BookingCompleted, cause: Cause): OutgoingRecord {
  return record(TOPICS.bookings, decisionEventId(data.bookingId, cause.eventId), BOOKING_COMPLETED, data.bookingId, data, cause);
}

function notification(n: Omit<NotificationRequested, "notificationId">, cause: Cause): OutgoingRecord {
  const notificationId = notificationIdFor(cause.eventId, n.recipientId);
  const data: NotificationRequested = { notificationId, ...n };
  // The notification's own id is its event id: a republished notification is the same event.
  return record(TOPICS.notifications, notificationId, NOTIFICATION_REQUESTED, n.recipientId, data, cause);
}

/** One offer per driver of the wave: what the driver's app shows, until the offer expires, with its ETA to the pickup where known. */
export function offerNotifications(
  b: LoadedBooking,
  offer: BookingOffered,
  cause: Cause,
  etas: ReadonlyMap<string, Eta> = new Map(),
): OutgoingRecord[] {
  const payload = {
    bookingId: b.bookingId,
    wave: offer.wave,
    vehicleType: b.vehicleType,
    pickup: b.pickup,
    dropoff: b.dropoff,
    fareEstimate: b.fareEstimate,
    expiresAt: offer.expiresAt,
  };
  return offer.driverIds.map((driverId) => {
    const eta = etas.get(driverId);
    return notification(
      {
        recipientId: driverId,
        recipientType: "driver",
        kind: "booking.offer",
        subjectId: b.bookingId,
        payload: eta ? { ...payload, pickupEta: { seconds: eta.seconds, distanceM: eta.distanceM, model: eta.model } } : payload,
        expiresAt: offer.expiresAt,
      },
      cause,
    );
  });
}

/** Why an offer no longer stands: another driver took the booking, or it was cancelled or expired. */
export type WithdrawReason = "taken" | "cancelled" | "expired";

/** The offer the booking made these drivers is withdrawn: their apps drop it. */
export function withdrawnNotifications(
  b: LoadedBooking,
  driverIds: readonly string[],
  reason: WithdrawReason,
  cause: Cause,
): OutgoingRecord[] {
  return driverIds.map((driverId) =>
    notification(
      {
        recipientId: driverId,
        recipientType: "driver",
        kind: "offer.withdrawn",
        subjectId: b.bookingId,
        payload: { bookingId: b.bookingId, reason },
      },
      cause,
    ),
  );
}

export function acceptRejectedNotification(bookingId: string, driverId: string, reason: AcceptRejectReason, cause: Cause): OutgoingRecord {
  return notification(
    {
      recipientId: driverId,
      recipientType: "driver",
      kind: "booking.accept-rejected",
      subjectId: bookingId,
      payload: { bookingId, reason },
    },
    cause,
  );
}

/**
 * What changed, for a customer's or driver's app: the booking's status (or `reassigning`,
 * `dropped`), its driver, and what the change carries (a fee, the final fare, a reason).
 */
export function statusNotification(
  b: LoadedBooking,
  to: { recipientId: string; recipientType: "driver" | "customer" },
  status: string,
  driverId: string | null,
  cause: Cause,
  details: Record<string, unknown> = {},
): OutgoingRecord {
  const payload = { bookingId: b.bookingId, status, ...(driverId ? { driverId } : {}), ...details };
  return notification({ ...to, kind: "booking.status", subjectId: b.bookingId, payload }, cause);
}

/**
 * The customer is told each order-level change (a truck assigned, the order fulfilled,
 * expired or cancelled): `cause` is that order event, so a republished one is the same
 * notification.
 */
export function orderStatusNotification(
  order: { orderId: string; customerId: string },
  payload: { event: string; status: string } & Record<string, unknown>,
  cause: Cause,
): OutgoingRecord {
  return notification(
    {
      recipientId: order.customerId,
      recipientType: "customer",
      kind: "order.status",
      subjectId: order.orderId,
      payload: { orderId: order.orderId, ...payload },
    },
    cause,
  );
}
