import { NonRetriableError } from "../../shared/errors/errors.ts";
import { checkEventData, describeIssues } from "../../shared/events/event-contracts.ts";
import {
  isOrderEventType,
  ORDER_CANCEL_REQUESTED,
  ORDER_CREATED,
  type OrderCancelRequested,
  type OrderCreated,
} from "../../shared/events/order.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

export type ParsedOrderEvent = ConsumedEvent<{ orderId: string }>;

/**
 * Checks a consumed `orders` record as its contract says (shared/events/event-contracts.ts,
 * the gateway's check before publishing). An unknown type or version, bad data or a record
 * keyed by anything but its orderId cannot be fixed by retrying: NonRetriableError naming
 * the record, so the runtime dead-letters it at once.
 */
export function parseOrderEvent(e: ConsumedEvent): ParsedOrderEvent {
  const where = `${e.record.topic}/${e.record.partition}@${e.record.offset}`;
  if (!isOrderEventType(e.type)) throw new NonRetriableError(`${where}: not an order event this worker knows: ${e.type} v${e.version}`);
  const checked = checkEventData(e);
  if (!checked.ok) throw new NonRetriableError(`${where}: invalid ${e.type} v${e.version}: ${describeIssues(checked.issues)}`);
  return { ...e, data: checked.data as { orderId: string } };
}

export function isOrderCreated(e: ParsedOrderEvent): e is ConsumedEvent<OrderCreated> {
  return e.type === ORDER_CREATED;
}

export function isOrderCancelRequested(e: ParsedOrderEvent): e is ConsumedEvent<OrderCancelRequested> {
  return e.type === ORDER_CANCEL_REQUESTED;
}
