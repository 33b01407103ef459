import { requestedEventId } from "../../../shared/booking/ids.ts";
import type { Db } from "../../../shared/db/open-libsql.ts";
import { CONSUMER_GROUPS } from "../../../shared/events/consumer-groups.ts";
import { dlqTopicOf, TOPIC_CATALOGUE } from "../../../shared/events/topics.ts";
import type { EventLog } from "../../../shared/log/event-log.ts";
import { lagOf, rowCount } from "./effects.ts";

const inList = (xs: readonly string[]) => (xs.length === 0 ? "''" : xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(","));

/** For 202'd bookings: their rows, their `booking.requested` timeline entries (each must be exactly one) and audit rows. */
export async function bookingCounts(history: Db, bookingIds: readonly string[]) {
  const rows = await rowCount(history, `SELECT count(*) FROM bookings WHERE booking_id IN (${inList(bookingIds)})`);
  const requested = (
    await history.client.execute(
      `SELECT count(*) AS n FROM booking_events WHERE type = 'booking.requested' AND booking_id IN (${inList(bookingIds)}) GROUP BY booking_id`,
    )
  ).rows;
  const audited = await rowCount(
    history,
    `SELECT count(*) FROM audit_events WHERE event_id IN (${inList(bookingIds.map(requestedEventId))})`,
  );
  return {
    rows,
    requestedOnce: requested.filter((r) => Number(r.n) === 1).length,
    requestedTwice: requested.filter((r) => Number(r.n) > 1).length,
    audited,
  };
}

/** For 202'd orders: their rows, and the booking of every truck they were answered with. */
export async function orderCounts(history: Db, orders: readonly { orderId: string; bookingIds: string[] }[]) {
  const trucks = orders.flatMap((o) => o.bookingIds);
  return {
    orders: await rowCount(history, `SELECT count(*) FROM orders WHERE order_id IN (${inList(orders.map((o) => o.orderId))})`),
    trucks: trucks.length,
    truckBookings: await rowCount(history, `SELECT count(*) FROM bookings WHERE booking_id IN (${inList(trucks)})`),
  };
}

/** 202'd fixes (each moved ≥ 50 m, so each is kept by downsampling) found in the trail; the key (driver, recordedAt) makes a double insert impossible. */
export async function trailCounts(history: Db, fixes: readonly { driverId: string; recordedAt: number }[]) {
  const stored = new Set(
    (await history.client.execute("SELECT driver_id, recorded_at FROM driver_trail")).rows.map((r) => `${r.driver_id}@${r.recorded_at}`),
  );
  return {
    stored: fixes.filter((f) => stored.has(`${f.driverId}@${f.recordedAt}`)).length,
    missing: fixes.filter((f) => !stored.has(`${f.driverId}@${f.recordedAt}`)).length,
  };
}

/** Records on every catalogue topic's dead-letter twin. */
export async function dlqTotal(log: EventLog): Promise<number> {
  const dlqs = TOPIC_CATALOGUE.filter((t) => !t.name.endsWith(".dlq")).map((t) => dlqTopicOf(t.name));
  return (await log.admin().lag("faults-dlq-probe", dlqs)).reduce((n, p) => n + p.end, 0);
}

/**
 * Summed lag of the named worker groups (all when none named); -1 while it cannot be read:
 * right after a broker dies, metadata still names it leader, and kafkajs's offset read
 * fails with a TypeError of its own (not marked retriable) until the controller moves
 * leadership away.
 */
export async function workerLag(log: EventLog, names?: string[]): Promise<number> {
  const groups = CONSUMER_GROUPS.filter((g) => !names || names.includes(g.name));
  try {
    return (await Promise.all(groups.map((g) => lagOf(log, g.group, [...g.topics])))).reduce((a, b) => a + b, 0);
  } catch {
    return -1;
  }
}
