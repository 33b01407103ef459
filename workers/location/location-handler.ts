import { activeTripsOf } from "../../shared/booking/active-trips.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import type { PositionUpdate } from "../../shared/geo/geo-index.ts";
import { DEFAULT_MAX_SPEED_KMH } from "../../shared/geo/plausibility.ts";
import type { TrailPoint } from "../../shared/history/downsample.ts";
import { createTrailWriter, DEFAULT_TRAIL_WRITER, type TrailWriterSettings } from "../../shared/history/trail-writer.ts";
import type { WorkerDeps } from "../deps.ts";
import type { BoundHandler } from "../runtime/handler.ts";
import { errorPolicy } from "../runtime/retry.ts";
import { DEFAULT_GEO_TIMEOUT_MS, geoCall } from "../shared/geo-call.ts";
import { DEFAULT_ARRIVAL_RADIUS_M, geofenceArrivals } from "./arrival-geofence.ts";
import { collectFixes } from "./collect-fixes.ts";
import { createSpeedMemory } from "./speed-memory.ts";
import { streamPositions } from "./trip-positions.ts";

/** Without a trip stream, positions are not streamed to trips; without an ETA estimator, no ETAs. */
export type LocationDeps = Pick<WorkerDeps, "db" | "geo" | "publisher"> & Partial<Pick<WorkerDeps, "tripStream" | "eta">>;

export interface LocationHandlerSettings extends TrailWriterSettings {
  /** A geo call pending longer is an outage (geo-call.ts). Default 5 s. */
  geoTimeoutMs: number;
  /** A fix implying more km/h since the driver's previous one is flagged "speed" (plausibility.ts). Default 250. */
  maxSpeedKmh: number;
  /** The pickup geofence: an assigned driver's plausible fix this close to the pickup is an arrival. Default 100 m. */
  arrivalRadiusM: number;
  /** A fix older than this is not streamed to its driver's trip (trip-positions.ts). Default 5 minutes. */
  maxLiveAgeMs: number;
  now: () => number;
}

/**
 * The location worker: `driver.location.reported` → each driver's newest position in
 * the GeoIndex, and a downsampled trail in libSQL.
 *
 * GPS plausibility (issue 6): fixes arrive with the flags the gateway could decide
 * alone (accuracy, outside-area); this worker adds "speed", judged against each
 * driver's previous fix (speed-memory.ts, plausibility.ts). A flagged fix is not
 * dropped: it goes to the trail with its flags, and to the GeoIndex as `suspect`,
 * which keeps the driver at its last plausible position and out of nearby search
 * (so out of matching) until a plausible fix arrives. Per driver the index gets the
 * newest fix and, when that one is suspect, the newest plausible fix before it.
 *
 * Per batch (one partition, log order): the fixes are flattened and grouped per driver;
 * the newest fix of each driver goes to the GeoIndex in ONE upsertPositions call (the
 * index also ignores anything not newer than what it holds, so an older or redelivered
 * fix never moves a driver back); the fixes that pass the downsampling rule go to the
 * trail in one transaction. No await and no SQL per fix: a batch costs one geo call,
 * one seeding query for drivers not yet in memory, and one INSERT per 500 stored points
 * (plus, for drivers the speed memory does not know yet, one `get` each, sent together).
 *
 * Settings, with defaults: a fix is stored when ≥ 50 m (`minDistanceM`) from, or ≥ 30 s
 * (`minIntervalMs`) after, the driver's last stored one (downsample.ts); the last stored
 * points of up to 500,000 drivers stay in memory (`maxTrackedDrivers`, trail-writer.ts);
 * a geo call pending for 5 s is an outage (`geoTimeoutMs`, geo-call.ts); a fix implying
 * more than 250 km/h is flagged (`maxSpeedKmh`), and the speed memory keeps as many
 * drivers as the trail's (`maxTrackedDrivers`).
 *
 * Drivers on a trip also have their newest plausible fix (and an ETA) appended to their
 * booking's live stream (trip-positions.ts).
 *
 * The three writes run side by side and the handler settles only after all did, so a
 * retry never overlaps an unfinished trail write. Each is idempotent, so a retry after
 * one of them succeeded repeats it harmlessly, and so does a timed-out geo call that
 * lands late. A geo or trip stream failure is RetryableError (geo-call.ts).
 *
 * Then the pickup geofence (arrival-geofence.ts): one indexed query for which of the
 * batch's drivers are on a trip (shared/booking/active-trips.ts), and for those still on
 * their way whose fix entered the pickup's radius, a `booking.driver-arrived` published
 * to `bookings` before the batch is done (a failed publish is RetryableError and the
 * batch is retried; the event's id is per trip, so a repeat applies once).
 *
 * The handler is built with its deps: the last stored points it keeps belong to its
 * database, the speed memory to its geo index. Each memory changes only once what it
 * remembers is durable: the trail's after its commit, the speed memory after both writes
 * succeeded (so a retried batch is judged again from the same fixes).
 */
export function createLocationHandler(deps: LocationDeps, settings: Partial<LocationHandlerSettings> = {}): BoundHandler {
  const geoTimeoutMs = settings.geoTimeoutMs ?? DEFAULT_GEO_TIMEOUT_MS;
  const arrivalRadiusM = settings.arrivalRadiusM ?? DEFAULT_ARRIVAL_RADIUS_M;
  const speedSettings = {
    maxSpeedKmh: settings.maxSpeedKmh ?? DEFAULT_MAX_SPEED_KMH,
    maxTrackedDrivers: settings.maxTrackedDrivers ?? DEFAULT_TRAIL_WRITER.maxTrackedDrivers,
    geoTimeoutMs,
  };
  const memory = createSpeedMemory(speedSettings);
  const writer = createTrailWriter(deps.db, settings);
  const trips = {
    timeoutMs: geoTimeoutMs,
    maxLiveAgeMs: settings.maxLiveAgeMs ?? 5 * 60_000,
    now: settings.now ?? Date.now,
  };

  return async (events) => {
    const { byDriver, commit } = await memory.judge(collectFixes(events), deps.geo);
    const updates = [...byDriver].flatMap(([driverId, fixes]) => positionUpdates(driverId, fixes));
    const results = await Promise.allSettled([
      geoCall("upsertPositions", () => deps.geo.upsertPositions(updates), geoTimeoutMs),
      writer.append(byDriver),
      streamPositions(deps, byDriver, trips),
    ]);
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    // While a dependency is down, wait for it before judging the records on anything else.
    if (failures.length > 0) throw failures.find((err) => errorPolicy(err).kind === "retryable") ?? failures[0];
    await publishArrivals(byDriver, deps, arrivalRadiusM);
    commit();
  };
}

async function publishArrivals(byDriver: ReadonlyMap<string, readonly TrailPoint[]>, deps: LocationDeps, radiusM: number): Promise<void> {
  const arrivals = geofenceArrivals(byDriver, await activeTripsOf(deps.db.orm, [...byDriver.keys()]), radiusM);
  if (arrivals.length === 0) return;
  try {
    await deps.publisher.publish(arrivals);
  } catch (err) {
    throw new RetryableError(`publishing ${arrivals.length} geofence arrivals failed, retrying`, undefined, { cause: err });
  }
}

/** One driver's fixes (recordedAt order) → what the index needs: the newest, preceded by the newest plausible when the newest is suspect. */
function positionUpdates(driverId: string, fixes: readonly TrailPoint[]): PositionUpdate[] {
  const update = (f: TrailPoint): PositionUpdate => ({
    driverId,
    lat: f.lat,
    lng: f.lng,
    recordedAt: f.recordedAt,
    suspect: f.flags.length > 0,
  });
  const newest = fixes.at(-1)!;
  if (newest.flags.length === 0) return [update(newest)];
  const plausible = fixes.findLast((f) => f.flags.length === 0);
  return plausible ? [update(plausible), update(newest)] : [update(newest)];
}
