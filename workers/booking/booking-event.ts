import * as v from "valibot";
import { NonRetriableError } from "../../shared/errors/errors.ts";
import { BOOKING_EVENT_SCHEMAS, BOOKING_EVENT_VERSION, type BookingEvent, isBookingEventType } from "../../shared/events/booking.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/** A consumed record of the `bookings` topic with its data checked against its type's schema. */
export type ParsedBookingEvent = BookingEvent & Pick<ConsumedEvent, "id" | "occurredAt" | "correlationId" | "record">;

/**
 * An unknown type or version, or data its schema refuses, cannot be fixed by retrying
 * (a producer deployed ahead of this worker, a bug): NonRetriableError naming the
 * record, so the runtime dead-letters it at once, ready to redrive.
 */
export function parseBookingEvent(e: ConsumedEvent): ParsedBookingEvent {
  const where = `${e.record.topic}/${e.record.partition}@${e.record.offset}`;
  if (!isBookingEventType(e.type) || e.version !== BOOKING_EVENT_VERSION)
    throw new NonRetriableError(`${where}: not a booking event this worker knows: ${e.type} v${e.version}`);
  const parsed = v.safeParse(BOOKING_EVENT_SCHEMAS[e.type], e.data);
  if (!parsed.success)
    throw new NonRetriableError(
      `${where}: invalid ${e.type} data: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? "(data)"}: ${i.message}`).join("; ")}`,
    );
  if (e.key !== parsed.output.bookingId)
    throw new NonRetriableError(
      `${where}: ${e.type} for booking ${parsed.output.bookingId} is keyed ${e.key}; its order with the booking's other events is lost`,
    );
  return {
    type: e.type,
    data: parsed.output,
    id: e.id,
    occurredAt: e.occurredAt,
    correlationId: e.correlationId,
    record: e.record,
  } as ParsedBookingEvent;
}
