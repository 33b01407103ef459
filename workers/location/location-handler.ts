import type { Db } from "../../shared/db/open-libsql.ts";
import type { PositionUpdate } from "../../shared/geo/geo-index.ts";
import { createTrailWriter, type TrailWriter, type TrailWriterSettings } from "../../shared/history/trail-writer.ts";
import type { WorkerDeps } from "../deps.ts";
import type { Handler } from "../runtime/handler.ts";
import { errorPolicy } from "../runtime/retry.ts";
import { collectFixes } from "./collect-fixes.ts";
import { DEFAULT_GEO_TIMEOUT_MS, geoCall } from "./geo-call.ts";

export type LocationDeps = Pick<WorkerDeps, "db" | "geo">;

export interface LocationHandlerSettings extends TrailWriterSettings {
  /** A geo call pending longer is an outage (geo-call.ts). Default 5 s. */
  geoTimeoutMs: number;
}

/**
 * The location worker: `driver.location.reported` → each driver's newest position in
 * the GeoIndex, and a downsampled trail in libSQL.
 *
 * Per batch (one partition, log order): the fixes are flattened and grouped per driver;
 * the newest fix of each driver goes to the GeoIndex in ONE upsertPositions call (the
 * index also ignores anything not newer than what it holds, so an older or redelivered
 * fix never moves a driver back); the fixes that pass the downsampling rule go to the
 * trail in one transaction. No await and no SQL per fix: a batch costs one geo call,
 * one seeding query for drivers not yet in memory, and one INSERT per 500 stored points.
 *
 * Settings, with defaults: a fix is stored when ≥ 50 m (`minDistanceM`) from, or ≥ 30 s
 * (`minIntervalMs`) after, the driver's last stored one (downsample.ts); the last stored
 * points of up to 500,000 drivers stay in memory (`maxTrackedDrivers`, trail-writer.ts);
 * a geo call pending for 5 s is an outage (`geoTimeoutMs`, geo-call.ts).
 *
 * The two writes run side by side and the handler settles only after both did, so a
 * retry never overlaps an unfinished trail write. Both are idempotent, so a retry after
 * one of them succeeded repeats it harmlessly, and so does a timed-out geo call that
 * lands late. A geo failure is RetryableError (geo-call.ts).
 *
 * The last stored points are kept per database (a WeakMap on the Db it is given), so
 * one handler serves any deps, as the static worker catalogue needs.
 */
export function createLocationHandler(settings: Partial<LocationHandlerSettings> = {}): Handler<LocationDeps> {
  const geoTimeoutMs = settings.geoTimeoutMs ?? DEFAULT_GEO_TIMEOUT_MS;
  const writers = new WeakMap<Db, TrailWriter>();
  const writerFor = (db: Db) => {
    let writer = writers.get(db);
    if (!writer) writers.set(db, (writer = createTrailWriter(db, settings)));
    return writer;
  };

  return async (events, deps) => {
    const byDriver = collectFixes(events);
    const newest: PositionUpdate[] = [];
    for (const [driverId, fixes] of byDriver) {
      const f = fixes.at(-1)!;
      newest.push({ driverId, lat: f.lat, lng: f.lng, recordedAt: f.recordedAt });
    }
    const results = await Promise.allSettled([geoCall("upsertPositions", () => deps.geo.upsertPositions(newest), geoTimeoutMs), writerFor(deps.db).append(byDriver)]);
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    // While a dependency is down, wait for it before judging the records on anything else.
    if (failures.length > 0) throw failures.find((err) => errorPolicy(err).kind === "retryable") ?? failures[0];
  };
}
