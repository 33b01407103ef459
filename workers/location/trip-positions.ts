import { activeTripsOf } from "../../shared/booking/active-trips.ts";
import type { EtaEstimator } from "../../shared/eta/eta-estimator.ts";
import type { TrailPoint } from "../../shared/history/downsample.ts";
import { locationBatch, positionEtaBatch } from "../../shared/trip-stream/trip-entries.ts";
import type { TripBatch } from "../../shared/trip-stream/trip-stream.ts";
import { geoCall } from "../shared/geo-call.ts";
import type { LocationDeps } from "./location-handler.ts";

export interface TripPositionSettings {
  timeoutMs: number;
  /** A fix older than this is history, not a live position (a replay, a long backlog): it is not streamed. */
  maxLiveAgeMs: number;
  now: () => number;
}

/**
 * The drivers of a batch who are on a trip (accepted or started: activeTripsOf, one
 * query per 500 drivers): each one's newest plausible fix of the batch goes to its
 * booking's stream, with the ETA to the pickup before the trip starts and to the
 * drop-off after. Flagged fixes never do. The stream takes at most one position a
 * second and one ETA every 5 s, by device time, and skips a fix not newer than the
 * last it took (trip-entries.ts), so a redelivered batch appends nothing again.
 */
export async function streamPositions(
  deps: LocationDeps,
  byDriver: ReadonlyMap<string, TrailPoint[]>,
  s: TripPositionSettings,
): Promise<void> {
  const tripStream = deps.tripStream;
  if (!tripStream) return;
  const oldest = s.now() - s.maxLiveAgeMs;
  const newest = new Map<string, TrailPoint>();
  for (const [driverId, fixes] of byDriver) {
    const fix = fixes.findLast((f) => f.flags.length === 0);
    if (fix && fix.recordedAt >= oldest) newest.set(driverId, fix);
  }
  if (newest.size === 0) return;
  const trips = await activeTripsOf(deps.db.orm, [...newest.keys()]);
  if (trips.size === 0) return;
  const appends = await Promise.all(
    [...trips.values()].map(async (trip) => {
      const fix = newest.get(trip.driverId)!;
      const batches: TripBatch[] = [locationBatch(fix)];
      const leg = trip.status === "started" ? "dropoff" : "pickup";
      const eta = await estimate(deps.eta, fix, leg === "pickup" ? trip.pickup : trip.dropoff, trip.vehicleType);
      if (eta) batches.push(positionEtaBatch(leg, eta, fix.recordedAt));
      return { bookingId: trip.bookingId, batches };
    }),
  );
  await geoCall("append", () => Promise.all(appends.map((a) => tripStream.append(a.bookingId, a.batches))), s.timeoutMs, "trip stream");
}

async function estimate(
  estimator: EtaEstimator | undefined,
  fix: TrailPoint,
  to: { lat: number; lng: number },
  vehicleType: Parameters<EtaEstimator["estimate"]>[0]["vehicleType"],
) {
  if (!estimator) return undefined;
  try {
    return await estimator.estimate({ from: fix, to, vehicleType, ...(fix.speed === null ? {} : { recentSpeedMps: fix.speed }) });
  } catch {
    return undefined;
  }
}
