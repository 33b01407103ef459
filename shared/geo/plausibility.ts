import type { Fix, FixFlag } from "../events/driver.ts";
import { haversineM } from "./haversine.ts";

/**
 * GPS plausibility rules (issue 6): pure functions, no I/O. The gateway applies the
 * ones a single fix decides (accuracy, service area) when it publishes; the location
 * worker applies the speed rule, which needs the driver's previous fix. A flagged fix
 * is kept and stored with its flags; its driver is kept out of matching until a
 * plausible fix arrives (GeoIndex `suspect`).
 */

/** A lat/lng box in degrees, west edge below east edge (no box across the antimeridian). */
export interface ServiceArea {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

export interface FixCheckSettings {
  /** A fix whose reported accuracy radius (m) is larger is flagged "accuracy"; a fix without one is not judged. */
  maxAccuracyM: number;
  /** Fixes outside it are flagged "outside-area"; null: served everywhere. */
  serviceArea: ServiceArea | null;
}

export const DEFAULT_FIX_CHECKS: FixCheckSettings = { maxAccuracyM: 200, serviceArea: null };

/** Faster than any road vehicle we dispatch, slower than the jumps GPS glitches and spoofing make. */
export const DEFAULT_MAX_SPEED_KMH = 250;

/**
 * Positions wobble by their accuracy radius: two fixes a fraction of a second apart
 * would imply absurd speeds from jitter alone. The speed rule ignores this much of the
 * distance: both fixes' accuracy radii, and never less than this floor (fixes often
 * come without one).
 */
const JITTER_FLOOR_M = 25;

/** The flags a fix earns on its own, in FIX_FLAGS order; empty when it passes. */
export function fixFlags(fix: Pick<Fix, "lat" | "lng" | "accuracy">, s: FixCheckSettings): FixFlag[] {
  const flags: FixFlag[] = [];
  if (fix.accuracy !== undefined && fix.accuracy > s.maxAccuracyM) flags.push("accuracy");
  if (s.serviceArea && !inArea(fix.lat, fix.lng, s.serviceArea)) flags.push("outside-area");
  return flags;
}

function inArea(lat: number, lng: number, a: ServiceArea): boolean {
  return lat >= a.minLat && lat <= a.maxLat && lng >= a.minLng && lng <= a.maxLng;
}

export interface TimedPoint {
  lat: number;
  lng: number;
  /** Device time, ms since epoch. */
  recordedAt: number;
  /** Accuracy radius in metres, when the device reported one. */
  accuracy: number | null;
}

/**
 * The speed, in km/h, that getting from `from` to `to` implies, after discounting GPS
 * jitter (JITTER_FLOOR_M). Infinity for a real move with no time between the fixes.
 */
export function impliedSpeedKmh(from: TimedPoint, to: TimedPoint): number {
  const slackM = Math.max(JITTER_FLOOR_M, (from.accuracy ?? 0) + (to.accuracy ?? 0));
  const movedM = Math.max(0, haversineM(from.lat, from.lng, to.lat, to.lng) - slackM);
  if (movedM === 0) return 0;
  const hours = Math.abs(to.recordedAt - from.recordedAt) / 3_600_000;
  return hours === 0 ? Infinity : movedM / 1000 / hours;
}

function tooFast(from: TimedPoint, to: TimedPoint, maxSpeedKmh: number): boolean {
  return impliedSpeedKmh(from, to) > maxSpeedKmh;
}

/** What the speed rule remembers of a driver: its newest fix, and its newest plausible (flag-free) one. */
export interface SpeedTrack {
  last: TimedPoint;
  plausible: TimedPoint | null;
}

/**
 * Adds "speed" to each fix (one driver's, in recordedAt order) that is too fast both
 * from the fix before it and from the driver's last plausible fix; returns the fixes
 * and the driver's track after them. Judging against both lets a driver recover at the
 * first fix that makes sense:
 * - a one-off jump (A, far B, C near A): B is flagged, C is plausible against A;
 * - a real relocation the rule cannot tell from a jump (a ferry, a phone switched on
 *   in another city): the first fix there is flagged, the next, plausible against it,
 *   clears it. A spoofer who jumps once and then moves smoothly passes too: the rule
 *   catches glitches and teleports, not a consistent fake track.
 * Fixes not newer than the track's last are left as they are: they are redeliveries or
 * late, and neither the geo index nor the trail applies them.
 */
export function judgeSpeed<F extends TimedPoint & { flags: FixFlag[] }>(
  fixes: readonly F[],
  track: SpeedTrack | null,
  maxSpeedKmh: number,
): { fixes: F[]; track: SpeedTrack | null } {
  let last: TimedPoint | null = track?.last ?? null;
  let plausible: TimedPoint | null = track?.plausible ?? null;
  const judged = fixes.map((f) => {
    if (last && f.recordedAt <= last.recordedAt) return f;
    const fast = last !== null && tooFast(last, f, maxSpeedKmh) && (plausible === null || tooFast(plausible, f, maxSpeedKmh));
    const out = fast ? { ...f, flags: ["speed" as const, ...f.flags] } : f;
    last = f;
    if (out.flags.length === 0) plausible = f;
    return out;
  });
  // Copies, so the memory holding tracks keeps four numbers per fix, not the whole fix.
  const copy = (p: TimedPoint): TimedPoint => ({ lat: p.lat, lng: p.lng, recordedAt: p.recordedAt, accuracy: p.accuracy });
  return { fixes: judged, track: last && { last: copy(last), plausible: plausible && copy(plausible) } };
}
