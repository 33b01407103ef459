import * as v from "valibot";
import { BOOKING_EVENT_SCHEMAS, BOOKING_EVENT_VERSION } from "./booking.ts";
import { DRIVER_LOCATION_REPORTED, DRIVER_STATUS_CHANGED, DriverLocationReportedSchema, DriverStatusChangedSchema } from "./driver.ts";
import { type Envelope, EnvelopeSchema } from "./envelope.ts";
import { NOTIFICATION_REQUESTED, NotificationRequestedSchema } from "./notification.ts";
import { ORDER_EVENT_SCHEMAS, ORDER_EVENT_VERSION } from "./order.ts";
import { TOPICS } from "./topics.ts";

/*
 * What the consumer of each event type accepts, in one place: its topic, its version,
 * the schema of its data, and the data field the record key must equal. The workers
 * parse what they consume with checkEventData (workers/booking/booking-event.ts,
 * workers/order/order-event.ts, workers/location/event-data.ts), and the gateway runs
 * checkEnvelope on every record before it publishes it or puts it in its outbox
 * (gateway/events/outgoing-record.ts), so what the gateway answers 2xx for is what the
 * workers apply: the two cannot drift (docs/architecture.md, delivery guarantees).
 */

interface Contract<S extends v.GenericSchema> {
  topic: string;
  version: number;
  schema: S;
  /** The data field the record key must equal, where the consumer relies on per-key order; unset: any key. */
  keyField?: string;
}

type ContractsOf<S extends Record<string, v.GenericSchema>> = { [K in keyof S]: Contract<S[K]> };

function contracts<S extends Record<string, v.GenericSchema>>(
  topic: string,
  version: number,
  schemas: S,
  keyField?: string,
): ContractsOf<S> {
  return Object.fromEntries(
    Object.entries(schemas).map(([type, schema]) => [type, { topic, version, schema, keyField }]),
  ) as ContractsOf<S>;
}

export const EVENT_CONTRACTS = {
  ...contracts(TOPICS.driverLocations, 1, { [DRIVER_LOCATION_REPORTED]: DriverLocationReportedSchema }),
  ...contracts(TOPICS.driverStatus, 1, { [DRIVER_STATUS_CHANGED]: DriverStatusChangedSchema }),
  ...contracts(TOPICS.bookings, BOOKING_EVENT_VERSION, BOOKING_EVENT_SCHEMAS, "bookingId"),
  ...contracts(TOPICS.orders, ORDER_EVENT_VERSION, ORDER_EVENT_SCHEMAS, "orderId"),
  ...contracts(TOPICS.notifications, 1, { [NOTIFICATION_REQUESTED]: NotificationRequestedSchema }),
};

export type ContractedType = keyof typeof EVENT_CONTRACTS;
export type EventDataOf<K extends ContractedType> = v.InferOutput<(typeof EVENT_CONTRACTS)[K]["schema"]>;

export function isContractedType(type: string): type is ContractedType {
  return Object.hasOwn(EVENT_CONTRACTS, type);
}

/** One reason a consumer would refuse an event; `path` is dotted inside the part named by `part`. */
export interface EventIssue {
  part: "envelope" | "data";
  path: string;
  message: string;
}

export type EventCheck<T = unknown> = { ok: true; data: T } | { ok: false; issues: EventIssue[] };

const issuesOf = (part: EventIssue["part"], issues: v.BaseIssue<unknown>[]): EventIssue[] =>
  issues.map((i) => ({ part, path: v.getDotPath(i) ?? "", message: i.message }));

/** Would the consumer apply this event (type, version, data, key)? The envelope itself is taken as parsed. */
export function checkEventData(e: Pick<Envelope, "type" | "version" | "key" | "data">): EventCheck {
  if (!isContractedType(e.type)) return { ok: false, issues: [{ part: "envelope", path: "type", message: `no consumer knows ${e.type}` }] };
  const c: Contract<v.GenericSchema> = EVENT_CONTRACTS[e.type];
  if (e.version !== c.version)
    return { ok: false, issues: [{ part: "envelope", path: "version", message: `${e.type} is v${c.version}, not v${e.version}` }] };
  const parsed = v.safeParse(c.schema, e.data);
  if (!parsed.success) return { ok: false, issues: issuesOf("data", parsed.issues) };
  if (c.keyField !== undefined) {
    const want = (parsed.output as Record<string, unknown>)[c.keyField];
    if (e.key !== want)
      return {
        ok: false,
        issues: [
          { part: "envelope", path: "key", message: `is ${e.key}, but ${e.type} must be keyed by its ${c.keyField} ${String(want)}` },
        ],
      };
  }
  return { ok: true, data: parsed.output };
}

/** Would the consumer of `topic` apply this envelope: the envelope schema, the event's topic, then checkEventData. */
export function checkEnvelope(topic: string, envelope: unknown): EventCheck {
  const parsed = v.safeParse(EnvelopeSchema, envelope);
  if (!parsed.success) return { ok: false, issues: issuesOf("envelope", parsed.issues) };
  const e = parsed.output;
  if (isContractedType(e.type) && EVENT_CONTRACTS[e.type].topic !== topic)
    return {
      ok: false,
      issues: [{ part: "envelope", path: "type", message: `${e.type} belongs on ${EVENT_CONTRACTS[e.type].topic}, not ${topic}` }],
    };
  return checkEventData(e);
}

/** The issues as one line, for logs and dead letters. */
export function describeIssues(issues: EventIssue[]): string {
  return issues.map((i) => `${i.part === "data" ? "" : "envelope "}${i.path || `(${i.part})`}: ${i.message}`).join("; ");
}
