import { and, eq, gte, inArray, max } from "drizzle-orm";
import { type TimelineEntry, timelineEntry } from "../../shared/booking/booking-query.ts";
import { isFinalStatus } from "../../shared/booking/final-statuses.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { bookingEvents, bookings } from "../../shared/db/schema.ts";
import type { EtaEstimator } from "../../shared/eta/eta-estimator.ts";
import type { Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { type EtaLeg, statusBatch, statusEtaBatch } from "../../shared/trip-stream/trip-entries.ts";
import type { TripBatch, TripStream } from "../../shared/trip-stream/trip-stream.ts";
import { geoCall } from "../shared/geo-call.ts";
import type { LoadedBooking } from "./booking-model.ts";
import type { DecidedOutcome } from "./booking-store.ts";

/** One applied booking event for the booking's live stream. */
export interface StatusToStream {
  bookingId: string;
  entry: TimelineEntry;
  ends: boolean;
  /** The ETA the change calls for: the assigned driver to the pickup (accepted) or the drop-off (started). */
  eta?: { leg: EtaLeg; driverId: string; to: Place; vehicleType: VehicleType };
}

const CHUNK = 500;

/** The applied events of a decided batch, in log order: what the stream shows of them. */
export function freshStatuses(decided: readonly (DecidedOutcome & { before: LoadedBooking | null })[]): StatusToStream[] {
  return decided.flatMap(({ outcome: o, before }) => {
    if (!o.audit.applied) return [];
    const status = o.insert ? o.insert.status : o.update?.status;
    if (!status) return [];
    const a = o.audit;
    const entry = timelineEntry({ eventId: a.eventId, type: a.type, at: a.occurredAt, applied: true, reason: null, data: a.data });
    const item: StatusToStream = { bookingId: o.audit.bookingId, entry, ends: isFinalStatus(status) };
    const changed = before && before.status !== status;
    if (changed && status === "accepted" && o.update?.driverId)
      item.eta = { leg: "pickup", driverId: o.update.driverId, to: before.pickup, vehicleType: before.vehicleType };
    if (changed && status === "started" && before.driverId)
      item.eta = { leg: "dropoff", driverId: before.driverId, to: before.dropoff, vehicleType: before.vehicleType };
    return [item];
  });
}

/**
 * Applied events of a redelivered batch, recorded since `since` (ms): their effects
 * committed, but the stream write after the commit may not have happened (a crash, a
 * failed append retried). Older ones are left alone: a replay of last week's log must
 * not bring back streams that expired long ago. A booking's stream ends on its last
 * applied event when it is now in a final state.
 */
export async function redeliveredStatuses(db: Db, eventIds: readonly string[], since: number): Promise<StatusToStream[]> {
  const out: StatusToStream[] = [];
  for (let i = 0; i < eventIds.length; i += CHUNK) {
    const rows = await db.orm
      .select()
      .from(bookingEvents)
      .where(
        and(
          inArray(bookingEvents.eventId, eventIds.slice(i, i + CHUNK)),
          eq(bookingEvents.applied, true),
          gte(bookingEvents.recordedAt, since),
        ),
      );
    if (rows.length === 0) continue;
    const ids = [...new Set(rows.map((r) => r.bookingId))];
    const status = new Map(
      (await db.orm.select({ id: bookings.bookingId, status: bookings.status }).from(bookings).where(inArray(bookings.bookingId, ids))).map(
        (b) => [b.id, b.status],
      ),
    );
    const lastSeq = new Map(
      (
        await db.orm
          .select({ id: bookingEvents.bookingId, seq: max(bookingEvents.seq) })
          .from(bookingEvents)
          .where(and(inArray(bookingEvents.bookingId, ids), eq(bookingEvents.applied, true)))
          .groupBy(bookingEvents.bookingId)
      ).map((r) => [r.id, r.seq]),
    );
    for (const r of rows.sort((a, b) => a.seq - b.seq)) {
      const final = status.get(r.bookingId);
      out.push({
        bookingId: r.bookingId,
        entry: timelineEntry({ eventId: r.eventId, type: r.type, at: r.occurredAt, applied: true, reason: null, data: r.data }),
        ends: !!final && isFinalStatus(final) && lastSeq.get(r.bookingId) === r.seq,
      });
    }
  }
  return out;
}

export interface StatusStreamDeps {
  tripStream: TripStream;
  geo: Pick<GeoIndex, "get">;
  eta?: EtaEstimator;
}

/**
 * Appends the statuses, each booking's in order, and the ETAs they call for. An ETA
 * that cannot be had (no position, an estimator failure) is left out: the location
 * worker sends one with the driver's next fix. A failed append is RetryableError: the
 * batch is retried, and its events, now applied, come back as redelivered ones.
 */
export async function streamStatuses(
  deps: StatusStreamDeps,
  items: readonly StatusToStream[],
  timeoutMs: number,
  now: number,
): Promise<void> {
  if (items.length === 0) return;
  const etas = await Promise.all(items.map((item) => etaFor(deps, item, now)));
  const byBooking = new Map<string, TripBatch[]>();
  for (const [i, item] of items.entries()) {
    let batches = byBooking.get(item.bookingId);
    if (!batches) byBooking.set(item.bookingId, (batches = []));
    batches.push(statusBatch(item.entry, item.ends));
    const eta = etas[i];
    if (eta) batches.push(eta);
  }
  await geoCall(
    "append",
    () => Promise.all([...byBooking].map(([bookingId, batches]) => deps.tripStream.append(bookingId, batches))),
    timeoutMs,
    "trip stream",
  );
}

async function etaFor(deps: StatusStreamDeps, item: StatusToStream, now: number): Promise<TripBatch | undefined> {
  if (!item.eta || !deps.eta) return undefined;
  try {
    const p = (await deps.geo.get(item.eta.driverId))?.position;
    if (!p) return undefined;
    const eta = await deps.eta.estimate({ from: p, to: item.eta.to, vehicleType: item.eta.vehicleType });
    return statusEtaBatch(item.entry.eventId, item.eta.leg, eta, now);
  } catch {
    return undefined;
  }
}
