import { createEnvelope, toRecord } from "../../shared/events/envelope.ts";
import { NOTIFICATION_REQUESTED, type NotificationRequested } from "../../shared/events/notification.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { DeliveredRecord, OutgoingRecord } from "../../shared/log/event-log.ts";
import type { Notification, Notifier } from "../../shared/notify/notifier.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/* Notification events and a scripted Notifier for the notify worker's tests. Not a test file. */

export function notificationData(recipientId: string, overrides: Partial<NotificationRequested> = {}): NotificationRequested {
  return {
    notificationId: crypto.randomUUID(),
    recipientId,
    recipientType: "driver",
    kind: "booking.offer",
    subjectId: `bkg-${crypto.randomUUID().slice(0, 8)}`,
    payload: { wave: 1 },
    ...overrides,
  };
}

/** A `notification.requested` record as the booking worker would publish it (key: recipientId). */
export function notificationRecord(data: NotificationRequested, topic: string = TOPICS.notifications): OutgoingRecord {
  const e = createEnvelope({ type: NOTIFICATION_REQUESTED, key: data.recipientId, data, source: "booking-worker" });
  return toRecord(topic, e);
}

/** The same record as consumed at `offset` of partition 0. */
export function deliveredAt(r: OutgoingRecord, offset: number): DeliveredRecord {
  return { topic: r.topic, partition: 0, offset, key: r.key, value: r.value, headers: r.headers ?? {}, timestamp: Date.now() };
}

export function notificationEvent(data: NotificationRequested, offset = 0): ConsumedEvent {
  const e = createEnvelope({ type: NOTIFICATION_REQUESTED, key: data.recipientId, data, source: "booking-worker" });
  return { ...e, record: { topic: TOPICS.notifications, partition: 0, offset, key: data.recipientId, headers: {}, timestamp: Date.now() } };
}

/**
 * A Notifier that records every send (attempts, not just successes) and answers what
 * `behave` says: resolve, throw, or wait first. Stands in for a receiver in unit tests;
 * the adapters' own tests use a real HTTP receiver.
 */
export function scriptedNotifier(
  behave: (n: Notification) => void | Promise<void> = () => {},
): Notifier & { sends: Notification[]; delivered: Notification[] } {
  const notifier = {
    sends: [] as Notification[],
    delivered: [] as Notification[],
    async send(n: Notification) {
      notifier.sends.push(n);
      await behave(n);
      notifier.delivered.push(n);
    },
    async close() {},
  };
  return notifier;
}
