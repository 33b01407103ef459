import { NonRetriableError } from "../../shared/errors/errors.ts";
import { type BookingEvent, isBookingEventType } from "../../shared/events/booking.ts";
import { checkEventData, describeIssues } from "../../shared/events/event-contracts.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/** A consumed record of the `bookings` topic with its data checked against its type's schema. */
export type ParsedBookingEvent = BookingEvent & Pick<ConsumedEvent, "id" | "occurredAt" | "correlationId" | "record">;

/**
 * An unknown type or version, data its schema refuses, or a record keyed by anything but
 * its booking (its order with the booking's other events would be lost) cannot be fixed
 * by retrying (a producer deployed ahead of this worker, a bug): NonRetriableError naming
 * the record, so the runtime dead-letters it at once, ready to redrive. The check is the
 * one the gateway runs before publishing (shared/events/event-contracts.ts).
 */
export function parseBookingEvent(e: ConsumedEvent): ParsedBookingEvent {
  const where = `${e.record.topic}/${e.record.partition}@${e.record.offset}`;
  if (!isBookingEventType(e.type)) throw new NonRetriableError(`${where}: not a booking event this worker knows: ${e.type} v${e.version}`);
  const checked = checkEventData(e);
  if (!checked.ok) throw new NonRetriableError(`${where}: invalid ${e.type} v${e.version}: ${describeIssues(checked.issues)}`);
  return {
    type: e.type,
    data: checked.data,
    id: e.id,
    occurredAt: e.occurredAt,
    correlationId: e.correlationId,
    record: e.record,
  } as ParsedBookingEvent;
}
