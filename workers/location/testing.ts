import {
  DRIVER_LOCATION_REPORTED,
  DRIVER_STATUS_CHANGED,
  type DriverStatus,
  type FixFlag,
  type VehicleType,
} from "../../shared/events/driver.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { GeoIndex, PositionUpdate, StatusUpdate } from "../../shared/geo/geo-index.ts";
import { M_PER_DEG_LAT } from "../../shared/history/testing.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/* Events and geo spies for the location and status workers' tests. Not a test file. */

/** Where the test drivers are: central Bengaluru. */
export const HOME = { lat: 12.9716, lng: 77.5946 };

export interface TestFix {
  /** Seconds after the test's t0. */
  s: number;
  /** Metres north of HOME. */
  north?: number;
  /** The flags the gateway put on the fix. */
  flags?: FixFlag[];
}

function consumed(topic: string, type: string, key: string, data: unknown, id?: string): ConsumedEvent {
  const env = createEnvelope({ type, key, data, source: "gateway", id });
  return { ...env, record: { topic, partition: 0, offset: 0, key, headers: {}, timestamp: Date.now() } };
}

export function locationEvent(driverId: string, t0: number, fixes: TestFix[], id?: string): ConsumedEvent {
  const data = {
    driverId,
    fixes: fixes.map((f) => ({
      lat: HOME.lat + (f.north ?? 0) / M_PER_DEG_LAT,
      lng: HOME.lng,
      recordedAt: new Date(t0 + f.s * 1000).toISOString(),
      speed: 5,
      heading: 0,
      accuracy: 8,
      ...(f.flags && { flags: f.flags }),
    })),
  };
  return consumed(TOPICS.driverLocations, DRIVER_LOCATION_REPORTED, driverId, data, id);
}

export function statusEvent(driverId: string, status: DriverStatus, changedAt: number, vehicleType: VehicleType = "sedan"): ConsumedEvent {
  return consumed(TOPICS.driverStatus, DRIVER_STATUS_CHANGED, driverId, {
    driverId,
    status,
    vehicleType,
    changedAt: new Date(changedAt).toISOString(),
  });
}

/** The latitude of a point `north` metres north of HOME. */
export const latAt = (north: number) => HOME.lat + north / M_PER_DEG_LAT;

/** A GeoIndex that records the writes it passes on, and can be made to fail them first. */
export function spyGeo(
  inner: GeoIndex,
  failWith?: () => unknown,
): GeoIndex & { positions: PositionUpdate[][]; statuses: StatusUpdate[][] } {
  const spy = {
    positions: [] as PositionUpdate[][],
    statuses: [] as StatusUpdate[][],
    async upsertPositions(u: PositionUpdate[]) {
      spy.positions.push(u);
      if (failWith) throw failWith();
      return inner.upsertPositions(u);
    },
    async setStatus(u: StatusUpdate[]) {
      spy.statuses.push(u);
      if (failWith) throw failWith();
      return inner.setStatus(u);
    },
    nearby: inner.nearby.bind(inner),
    get: inner.get.bind(inner),
    listDrivers: inner.listDrivers.bind(inner),
    dropStale: inner.dropStale.bind(inner),
    close: inner.close.bind(inner),
  };
  return spy;
}
