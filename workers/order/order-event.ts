import * as v from "valibot";
import { NonRetriableError } from "../../shared/errors/errors.ts";
import {
  isOrderEventType,
  ORDER_CANCEL_REQUESTED,
  ORDER_CREATED,
  ORDER_EVENT_SCHEMAS,
  ORDER_EVENT_VERSION,
  type OrderCancelRequested,
  type OrderCreated,
} from "../../shared/events/order.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

export type ParsedOrderEvent = ConsumedEvent<{ orderId: string }>;

/**
 * Checks a consumed `orders` record against its type's schema. An unknown type or
 * version, bad data or a record keyed by anything but its orderId cannot be fixed by
 * retrying: NonRetriableError naming the record, so the runtime dead-letters it at once.
 */
export function parseOrderEvent(e: ConsumedEvent): ParsedOrderEvent {
  const where = `${e.record.topic}/${e.record.partition}@${e.record.offset}`;
  if (!isOrderEventType(e.type) || e.version !== ORDER_EVENT_VERSION)
    throw new NonRetriableError(`${where}: not an order event this worker knows: ${e.type} v${e.version}`);
  const parsed = v.safeParse(ORDER_EVENT_SCHEMAS[e.type], e.data);
  if (!parsed.success)
    throw new NonRetriableError(
      `${where}: invalid ${e.type} data: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? "(data)"}: ${i.message}`).join("; ")}`,
    );
  if (e.key !== parsed.output.orderId)
    throw new NonRetriableError(`${where}: ${e.type} for order ${parsed.output.orderId} is keyed ${e.key}`);
  return { ...e, data: parsed.output };
}

export function isOrderCreated(e: ParsedOrderEvent): e is ConsumedEvent<OrderCreated> {
  return e.type === ORDER_CREATED;
}

export function isOrderCancelRequested(e: ParsedOrderEvent): e is ConsumedEvent<OrderCancelRequested> {
  return e.type === ORDER_CANCEL_REQUESTED;
}
