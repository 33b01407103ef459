import type { FixFlag } from "../events/driver.ts";
import { haversineM } from "../geo/haversine.ts";

/**
 * The trail's downsampling rule (docs/architecture.md, storage rules): a fix is stored only if it is at least
 * `minDistanceM` from the driver's last STORED fix, or at least `minIntervalMs` later
 * than it. Defaults: 50 m and 30 s. A driver standing still for 5 minutes with a fix
 * every second stores 10 points (one per 30 s); one driving at 72 km/h stores one every
 * 3 s (the first fix ≥ 50 m on). The first fix of a driver with nothing stored is kept.
 *
 * Fixes not newer than the last stored one are dropped: they are redeliveries (already
 * stored, or deliberately skipped) or arrived late, and the rule only looks forward.
 */

export interface DownsampleSettings {
  minDistanceM: number;
  minIntervalMs: number;
}

export const DEFAULT_DOWNSAMPLE: DownsampleSettings = { minDistanceM: 50, minIntervalMs: 30_000 };

/** One fix as the trail stores it. */
export interface TrailPoint {
  driverId: string;
  /** Device time, ms since epoch. */
  recordedAt: number;
  lat: number;
  lng: number;
  speed: number | null;
  heading: number | null;
  accuracy: number | null;
  /** Why the fix is implausible (shared/geo/plausibility.ts); empty when it is not. Flagged fixes are stored like any other. */
  flags: FixFlag[];
}

/** What the rule compares the next fix with. */
export type StoredPoint = Pick<TrailPoint, "recordedAt" | "lat" | "lng">;

/**
 * The fixes of one driver to store, given that driver's fixes in recordedAt order and
 * the last point stored for it (null when none). The last picked fix, if any, is the
 * new last stored point.
 */
export function downsample(fixes: readonly TrailPoint[], last: StoredPoint | null, s: DownsampleSettings): TrailPoint[] {
  const picked: TrailPoint[] = [];
  let ref = last;
  for (const f of fixes) {
    if (ref && f.recordedAt <= ref.recordedAt) continue;
    if (!ref || f.recordedAt - ref.recordedAt >= s.minIntervalMs || haversineM(ref.lat, ref.lng, f.lat, f.lng) >= s.minDistanceM) {
      picked.push(f);
      ref = f;
    }
  }
  return picked;
}
