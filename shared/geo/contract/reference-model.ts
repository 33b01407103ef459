import type { DriverStatus, VehicleType } from "../../events/driver.ts";
import type { NearbyQuery, PositionUpdate, StatusUpdate } from "../geo-index.ts";
import { haversineM } from "../haversine.ts";

export interface ModelDriver {
  driverId: string;
  status: DriverStatus | null;
  statusAt: number;
  vehicleType: VehicleType | null;
  /** The last plausible position. */
  position: { lat: number; lng: number; recordedAt: number } | null;
  /** recordedAt of the newest fix when it was suspect; null when it was plausible. */
  suspectAt: number | null;
  /** In the search index: available with a position, not suspect, and not dropped as stale since it was last placed. */
  indexed: boolean;
}

export interface ExpectedHit {
  driverId: string;
  distanceM: number;
  driver: ModelDriver;
}

/**
 * The contract's oracle: the port's rules written the plainest way (no shards, no cells)
 * and a brute-force haversine filter + sort over every driver for nearby.
 */
export class ReferenceModel {
  readonly drivers = new Map<string, ModelDriver>();

  private driver(driverId: string): ModelDriver {
    let d = this.drivers.get(driverId);
    if (!d)
      this.drivers.set(
        driverId,
        (d = { driverId, status: null, statusAt: -Infinity, vehicleType: null, position: null, suspectAt: null, indexed: false }),
      );
    return d;
  }

  private place(d: ModelDriver): void {
    d.indexed = d.status === "available" && d.vehicleType !== null && d.position !== null && d.suspectAt === null;
  }

  upsert(updates: PositionUpdate[]): number {
    let moved = 0;
    for (const u of updates) {
      const d = this.driver(u.driverId);
      if (u.recordedAt <= Math.max(d.position?.recordedAt ?? -Infinity, d.suspectAt ?? -Infinity)) continue;
      if (u.suspect) d.suspectAt = u.recordedAt;
      else [d.position, d.suspectAt] = [{ lat: u.lat, lng: u.lng, recordedAt: u.recordedAt }, null];
      this.place(d);
      moved++;
    }
    return moved;
  }

  setStatus(updates: StatusUpdate[]): void {
    for (const u of updates) {
      const d = this.driver(u.driverId);
      if (u.changedAt <= d.statusAt) continue;
      Object.assign(d, { status: u.status, vehicleType: u.vehicleType, statusAt: u.changedAt });
      this.place(d);
    }
  }

  dropStale(before: number): number {
    let dropped = 0;
    for (const d of this.drivers.values()) {
      if (d.indexed && d.position!.recordedAt < before) {
        d.indexed = false;
        dropped++;
      }
    }
    return dropped;
  }

  /** Every driver the query may return, nearest first, before `limit` (the comparator needs the ones past it). */
  candidates(q: NearbyQuery, slackM = 0): ExpectedHit[] {
    const freshAfter = q.now - q.staleAfterMs;
    const hits: ExpectedHit[] = [];
    for (const d of this.drivers.values()) {
      const p = d.position;
      if (!d.indexed || d.vehicleType !== q.vehicleType || !p || p.recordedAt < freshAfter) continue;
      const distanceM = haversineM(q.lat, q.lng, p.lat, p.lng);
      if (distanceM <= q.radiusM + slackM) hits.push({ driverId: d.driverId, distanceM, driver: d });
    }
    return hits.sort((a, b) => a.distanceM - b.distanceM);
  }
}
