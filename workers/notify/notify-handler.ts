import { NOTIFICATION_REQUESTED } from "../../shared/events/notification.ts";
import { isExpired, type Notification, type Notifier } from "../../shared/notify/notifier.ts";
import type { WorkerDeps } from "../deps.ts";
import { eventData } from "../location/event-data.ts";
import type { ConsumedEvent, Handler } from "../runtime/handler.ts";
import { createDeliveryMemory, type DeliveryMemory, type DeliveryMemorySettings } from "./delivery-memory.ts";

export type NotifyDeps = Pick<WorkerDeps, "notifier" | "logger">;

export interface NotifyHandlerSettings extends DeliveryMemorySettings {
  /** Recipients sent to at once within one batch. Default 32. */
  concurrency: number;
}

interface Pending {
  event: ConsumedEvent;
  n: Notification;
}

/**
 * The notify worker: `notification.requested` → the Notifier (webhook, or a log line in dev).
 *
 * Per batch (one partition, log order): every event is checked first, so a malformed one
 * fails the batch before anything is sent (the runtime isolates and dead-letters it).
 * Then each recipient's notifications go out in log order, one at a time — the topic is
 * keyed by recipient, so all of a recipient's notifications are in this partition —
 * while up to `concurrency` recipients are served at once. A notification whose expiresAt
 * has passed — before it was sent, or by the time a send failed — is skipped with a log
 * line: pointless, not broken, so neither retried nor dead-lettered.
 *
 * When a send fails, that recipient's later notifications wait (their order holds),
 * the other recipients finish, and the batch throws the first failure in log order. The
 * runtime then re-runs parts of the batch and retries the failing record with backoff;
 * the delivery memory (delivery-memory.ts) keeps those re-runs from sending again what
 * was delivered, or hammering with what has just failed. Transient failures (5xx,
 * timeouts) are retried `maxAttempts` times, then dead-lettered to `notifications.dlq`;
 * NonRetriableError (4xx) is dead-lettered at once.
 *
 * Delivery is at-least-once: a timed-out request may have arrived, and after a restart
 * the memory is empty. Receivers dedupe on the event id (x-fleet-event-id).
 *
 * The memory is kept per Notifier (a WeakMap), so one handler serves any deps, as the
 * static worker catalogue needs.
 */
export function createNotifyHandler(settings: Partial<NotifyHandlerSettings> = {}): Handler<NotifyDeps> {
  const concurrency = settings.concurrency ?? 32;
  const now = settings.now ?? Date.now;
  const memories = new WeakMap<Notifier, DeliveryMemory>();
  const memoryFor = (notifier: Notifier) => {
    let memory = memories.get(notifier);
    if (!memory) memories.set(notifier, (memory = createDeliveryMemory(settings)));
    return memory;
  };

  return async (events, deps) => {
    const memory = memoryFor(deps.notifier);
    const byRecipient = new Map<string, Pending[]>();
    for (const event of events) {
      const n: Notification = { ...eventData(event, NOTIFICATION_REQUESTED), eventId: event.id };
      const queue = byRecipient.get(n.recipientId);
      if (queue) queue.push({ event, n });
      else byRecipient.set(n.recipientId, [{ event, n }]);
    }

    const failures: { offset: number; error: unknown }[] = [];
    const skipExpired = ({ event, n }: Pending) => {
      deps.logger.info("notification expired; not delivered", {
        eventId: n.eventId,
        notificationId: n.notificationId,
        recipientId: n.recipientId,
        kind: n.kind,
        expiresAt: n.expiresAt,
        offset: event.record.offset,
      });
      memory.markSettled(n.eventId);
    };
    const serve = async (queue: Pending[]) => {
      for (const p of queue) {
        const { event, n } = p;
        if (memory.isSettled(n.eventId)) continue;
        if (isExpired(n, now())) {
          skipExpired(p);
          continue;
        }
        const replay = memory.recentFailure(n.eventId, events.length);
        if (replay) {
          failures.push({ offset: event.record.offset, error: replay.error });
          return;
        }
        try {
          await deps.notifier.send(n);
          memory.markSettled(n.eventId);
        } catch (error) {
          // Expired while being sent (a timeout, a Retry-After wait): as pointless as one expired before.
          if (isExpired(n, now())) {
            skipExpired(p);
            continue;
          }
          memory.markFailed(n.eventId, error, events.length);
          failures.push({ offset: event.record.offset, error });
          return;
        }
      }
    };

    const queues = [...byRecipient.values()];
    let next = 0;
    const lane = async () => {
      while (next < queues.length) await serve(queues[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, lane));

    if (failures.length > 0) throw failures.reduce((a, b) => (b.offset < a.offset ? b : a)).error;
  };
}
