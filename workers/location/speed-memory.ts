import type { GeoIndex } from "../../shared/geo/geo-index.ts";
import { judgeSpeed, type SpeedTrack } from "../../shared/geo/plausibility.ts";
import type { TrailPoint } from "../../shared/history/downsample.ts";
import { geoCall } from "../shared/geo-call.ts";

export interface SpeedMemorySettings {
  /** A fix implying more since the driver's previous one is flagged "speed" (plausibility.ts). */
  maxSpeedKmh: number;
  /** Drivers whose track is kept in memory; the least recently seen are forgotten first. */
  maxTrackedDrivers: number;
  geoTimeoutMs: number;
}

export interface JudgedBatch {
  /** The batch's fixes per driver, "speed" added where it applies. */
  byDriver: Map<string, TrailPoint[]>;
  /** Call once the batch's effects are durable: a failed batch is judged again from the same tracks. */
  commit(): void;
}

/**
 * The speed rule's memory for one geo index: each driver's newest fix and newest
 * plausible one, so judging a batch needs no read per fix. A driver not in memory
 * (first report since start, or forgotten) is seeded from the index (one `get` per
 * such driver, sent together): its last plausible position stands for both, since the
 * index keeps no suspect position. Keys are drivers of this process's partitions; after
 * a partition moved away and back the memory may be behind, which only makes the next
 * judgement more lenient (a longer time since the remembered fix).
 */
export function createSpeedMemory(s: SpeedMemorySettings) {
  // Insertion order is recency: the first keys are the ones to forget.
  const tracks = new Map<string, SpeedTrack>();

  const seed = async (geo: GeoIndex, driverIds: string[]): Promise<Map<string, SpeedTrack | null>> => {
    if (driverIds.length === 0) return new Map();
    const states = await geoCall("get", () => Promise.all(driverIds.map((id) => geo.get(id))), s.geoTimeoutMs);
    return new Map(
      driverIds.map((id, i) => {
        const p = states[i]?.position;
        const point = p ? { lat: p.lat, lng: p.lng, recordedAt: p.recordedAt, accuracy: null } : null;
        return [id, point && { last: point, plausible: point }];
      }),
    );
  };

  return {
    async judge(byDriver: ReadonlyMap<string, TrailPoint[]>, geo: GeoIndex): Promise<JudgedBatch> {
      const seeded = await seed(
        geo,
        [...byDriver.keys()].filter((id) => !tracks.has(id)),
      );
      const judged = new Map<string, TrailPoint[]>();
      const after = new Map<string, SpeedTrack>();
      for (const [driverId, fixes] of byDriver) {
        const { fixes: out, track } = judgeSpeed(fixes, tracks.get(driverId) ?? seeded.get(driverId) ?? null, s.maxSpeedKmh);
        judged.set(driverId, out);
        if (track) after.set(driverId, track);
      }
      return {
        byDriver: judged,
        commit() {
          for (const [driverId, track] of after) {
            tracks.delete(driverId);
            tracks.set(driverId, track);
          }
          for (const driverId of tracks.keys()) {
            if (tracks.size <= s.maxTrackedDrivers) break;
            tracks.delete(driverId);
          }
        },
      };
    },
  };
}

export type SpeedMemory = ReturnType<typeof createSpeedMemory>;
