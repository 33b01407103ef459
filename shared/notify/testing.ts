import type { Notification } from "./notifier.ts";

/* Notifications for the notify tests. Not a test file. */

export function testNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    eventId: crypto.randomUUID(),
    notificationId: crypto.randomUUID(),
    recipientId: "drv-1",
    recipientType: "driver",
    kind: "booking.offer",
    subjectId: "bkg-1",
    payload: { pickup: "MG Road", fare: 212.5 },
    ...overrides,
  };
}
