import { DRIVER_STATUS_CHANGED } from "../../shared/events/driver.ts";
import { NOTIFICATION_REQUESTED } from "../../shared/events/notification.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import { parseBookingEvent } from "../../workers/booking/booking-event.ts";
import { collectFixes } from "../../workers/location/collect-fixes.ts";
import { eventData } from "../../workers/location/event-data.ts";
import { parseOrderEvent } from "../../workers/order/order-event.ts";
import type { ConsumedEvent } from "../../workers/runtime/handler.ts";
import { toConsumedEvent } from "../../workers/runtime/parse.ts";

/**
 * What the consuming worker does with a record before it applies anything: the runtime's
 * envelope parse, then the parse step of the worker that owns the topic — the very
 * functions the workers call, not a copy of their schemas. Throws the worker's own
 * error (NonRetriableError: the record would be dead-lettered) when it would refuse it.
 */
const WORKER_PARSE: Record<string, (e: ConsumedEvent) => unknown> = {
  [TOPICS.driverLocations]: (e) => collectFixes([e]),
  [TOPICS.driverStatus]: (e) => eventData(e, DRIVER_STATUS_CHANGED),
  [TOPICS.bookings]: parseBookingEvent,
  [TOPICS.orders]: parseOrderEvent,
  [TOPICS.notifications]: (e) => eventData(e, NOTIFICATION_REQUESTED),
};

export function workerAccepts(r: OutgoingRecord): void {
  const parse = WORKER_PARSE[r.topic];
  if (!parse) throw new Error(`no worker consumes ${r.topic}`);
  parse(toConsumedEvent({ ...r, partition: 0, offset: 0, headers: r.headers ?? {}, timestamp: Date.now() }));
}
